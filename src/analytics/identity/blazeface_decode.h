#pragma once
// BlazeFace (MediaPipe short-range, 256x256) output decoding: anchors, sigmoid scores and
// weighted blending of overlapping candidates. Pure math on tensors; no model here.

#include <vector>

#include "analytics/identity/face.h"
#include "core/expected.h"
#include "core/tensor.h"

namespace fai {

// Anchor centres in input pixels: a 16x16 grid with 2 anchors per cell, then an 8x8 grid with
// 6 per cell (896 for a 256 input), each at ((col + 0.5) / grid, (row + 0.5) / grid) * size.
std::vector<cv::Point2f> blazeface_anchors(int input_size);

struct BlazeFaceDecodeParams {
  float min_score = 0.5f;  // sigmoid face probability
  float blend_iou = 0.3f;  // candidates overlapping a better one this much are averaged into it
  int max_faces = 10;
};

// Decodes `boxes` [1,N,16] (cx, cy, w, h, then 6 keypoint x,y; offsets from the anchor centre in
// input pixels) and `logits` [1,N,1] into faces in input pixels, best first. Overlapping
// candidates are blended (score-weighted mean of box and keypoints, MediaPipe's weighted NMS),
// which is steadier than keeping only the best. Shape mismatch -> kCorrupt.
Expected<std::vector<Face>> decode_blazeface(const Tensor& boxes, const Tensor& logits,
                                             int input_size, const BlazeFaceDecodeParams& params);

}  // namespace fai
