#pragma once
// Pure box geometry: IoU, non-maximum suppression and the letterbox transform between
// source pixels and a model's square input. No OpenCV here.

#include <vector>

#include "core/types.h"

namespace fai {

float iou(const Box& a, const Box& b);

// Greedy NMS over detections of any classes. Returns kept indices, best score first.
// When `per_class` is true a box only suppresses boxes of its own class.
std::vector<int> nms(const std::vector<Detection>& dets, float iou_threshold, bool per_class);

struct SuppressionParams {
  float same_class_iou = 0.45f;  // per-class NMS threshold
  float cross_class_iou =
      0.80f;  // a box this similar to a better one of another class is a duplicate
};

// Per-class NMS followed by cross-class suppression (detectors that emit car+truck on one object).
// Returns the surviving detections, best score first.
std::vector<Detection> suppress_duplicates(const std::vector<Detection>& dets,
                                           const SuppressionParams& params);

// Uniform scale + centred padding that fits a source image into a model input without distortion.
struct Letterbox {
  float scale = 1;  // model pixels per source pixel
  float pad_x = 0;  // model pixels of padding on the left
  float pad_y = 0;  // model pixels of padding on the top
  int src_width = 0, src_height = 0;
  int dst_width = 0, dst_height = 0;

  static Letterbox fit(int src_width, int src_height, int dst_width, int dst_height);
  // Model-input pixels -> source pixels, clipped to the source image.
  Box to_source(const Box& model_box) const;
  Box to_model(const Box& source_box) const;
};

}  // namespace fai
