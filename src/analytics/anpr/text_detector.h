#pragma once
// PP-OCRv4 text detection: the model gives a per-pixel text probability map; our own DB
// post-processing turns it into text-line boxes (OpenCV 4.6's TextDetectionModel_DB crashes on
// some real images).

#include <array>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "config/config.h"
#include "core/expected.h"
#include "core/types.h"
#include "infer/manifest.h"
#include "infer/session.h"

namespace fai {

struct DbParams {
  float binary_threshold = 0.3f;  // probability above which a pixel is text
  float min_box_score = 0.6f;     // mean probability inside a region for it to count
  float unclip_ratio = 1.5f;      // DB shrinks text regions in training; grow them back by this
  float min_side_px = 3.0f;       // regions thinner than this (map pixels) are noise
};

// One text line: a rotated rectangle in the pixels of the image it was found in.
struct TextBox {
  cv::RotatedRect rect;
  float score = 0;  // mean probability inside the region, 0..1
  float long_side() const { return std::max(rect.size.width, rect.size.height); }
  float short_side() const { return std::min(rect.size.width, rect.size.height); }
  Box bounds() const;
  // Corners ordered top-left, top-right, bottom-right, bottom-left along the text direction.
  std::array<cv::Point2f, 4> corners() const;
};

// DB post-processing of a CV_32F probability map: threshold, connected regions, box score, unclip
// (grow the min-area rectangle by area * ratio / perimeter on every side). Boxes are in map
// pixels, best score first.
std::vector<TextBox> db_boxes(const cv::Mat& prob_map, const DbParams& params);

// DB splits a plate line at wide gaps between character groups ("VW 4X4WP"). Fragments on one row
// (similar height, centres within a third of it) whose gap is under `max_gap_heights` heights
// become one axis-aligned line; other boxes pass through unchanged.
std::vector<TextBox> merge_line_fragments(std::vector<TextBox> boxes, float max_gap_heights);

// Orders `boxes` (found inside `region`) by how plate-like they are: a text line wider than tall
// (aspect 1.5..12), taller is better (plate characters are the largest text on a vehicle's
// rear), weighted by box score. Boxes that cannot be a plate are dropped.
std::vector<TextBox> rank_plate_candidates(std::vector<TextBox> boxes, const cv::Rect& region);

// Runs a PP-OCRv4 det model on a region of an image. The region is letterboxed into the model's
// fixed input; boxes come back in the image's pixels. Not thread-safe (one session per worker).
class TextDetector {
 public:
  static Expected<std::unique_ptr<TextDetector>> open(const ModelInfo& model, Backend backend,
                                                      int threads, const DbParams& params);
  // `region` is clipped to the image; an empty region -> kInvalidArgument.
  Expected<std::vector<TextBox>> detect(const cv::Mat& bgr, const cv::Rect& region);

 private:
  TextDetector(std::unique_ptr<InferenceSession> session, const ModelInfo& model,
               const DbParams& params)
      : session_(std::move(session)),
        width_(model.input_width()),
        height_(model.input_height()),
        normalization_(model.normalization),
        params_(params) {}

  std::unique_ptr<InferenceSession> session_;
  int width_, height_;
  Normalization normalization_;
  DbParams params_;
};

}  // namespace fai
