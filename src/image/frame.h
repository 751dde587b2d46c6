#pragma once
// A decoded frame: immutable once built; shared across threads by shared_ptr<const Frame>.

#include <chrono>
#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace fai {

struct Frame {
  std::string camera;
  int64_t seq = 0;
  std::chrono::system_clock::time_point timestamp;
  cv::Mat image;  // 8-bit BGR, 3 channels
};

}  // namespace fai
