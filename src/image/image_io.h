#pragma once
// Decoding images from bytes or files into 8-bit BGR, with every failure as a value.

#include <cstdint>
#include <span>
#include <string>

#include <opencv2/core.hpp>

#include "core/expected.h"

namespace fai {

struct ImageLimits {
  int max_width = 8192;
  int max_height = 8192;
};

// Decodes JPEG/PNG/BMP/... bytes. Rejects empty input, non-images, truncated data and
// images larger than `limits` (checked from the header, before decoding pixels).
Expected<cv::Mat> decode_image(std::span<const uint8_t> bytes, const ImageLimits& limits = {});
Expected<cv::Mat> read_image(const std::string& path, const ImageLimits& limits = {});

}  // namespace fai
