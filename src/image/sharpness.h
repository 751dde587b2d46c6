#pragma once
// Focus measure shared by every per-track quality gate (faces, plates).

#include <opencv2/core.hpp>

namespace fai {

// Variance of the Laplacian of the grey image: high for crisp edges, low for blur.
// Accepts 8-bit BGR or grey.
float laplacian_variance(const cv::Mat& image);

}  // namespace fai
