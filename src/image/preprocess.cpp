#include "image/preprocess.h"

#include <cmath>

#include <opencv2/imgproc.hpp>

namespace fai {

Tensor make_input_tensor(const cv::Mat& bgr, const Letterbox& lb, const Normalization& norm) {
  FAI_CHECK(bgr.type() == CV_8UC3);
  const int resized_w = static_cast<int>(std::lround(lb.src_width * lb.scale));
  const int resized_h = static_cast<int>(std::lround(lb.src_height * lb.scale));
  cv::Mat canvas(lb.dst_height, lb.dst_width, CV_8UC3, cv::Scalar(114, 114, 114));
  cv::Mat target = canvas(
      cv::Rect(static_cast<int>(lb.pad_x), static_cast<int>(lb.pad_y), resized_w, resized_h));
  cv::resize(bgr, target, target.size(), 0, 0, cv::INTER_LINEAR);

  Tensor t;
  t.shape = {1, 3, lb.dst_height, lb.dst_width};
  t.data.resize(static_cast<size_t>(t.numel()));
  const size_t plane = static_cast<size_t>(lb.dst_width) * lb.dst_height;
  for (int c = 0; c < 3; ++c) {
    const int src_channel = norm.rgb ? 2 - c : c;
    const float scale = 1.0f / norm.std[c];
    const float shift = -norm.mean[c] * scale;
    float* out = t.data.data() + c * plane;
    for (int y = 0; y < canvas.rows; ++y) {
      const uint8_t* row = canvas.ptr<uint8_t>(y);
      for (int x = 0; x < canvas.cols; ++x) *out++ = row[x * 3 + src_channel] * scale + shift;
    }
  }
  return t;
}

}  // namespace fai
