#pragma once
// Turning a BGR image into a model input tensor: letterbox resize, colour order and
// per-channel normalisation, NCHW float32.

#include <array>

#include <opencv2/core.hpp>

#include "core/expected.h"
#include "core/geometry.h"
#include "core/tensor.h"

namespace fai {

struct Normalization {
  bool rgb = false;                    // channel order the model expects
  std::array<float, 3> mean{0, 0, 0};  // subtracted from 0..255 pixel values, in model order
  std::array<float, 3> std{1, 1, 1};   // divides after the mean
};

// Letterboxes `bgr` into a width x height NCHW tensor; padding is grey (114) before
// normalisation, as Ultralytics and NanoDet train with.
Tensor make_input_tensor(const cv::Mat& bgr, const Letterbox& letterbox, const Normalization& norm);

}  // namespace fai
