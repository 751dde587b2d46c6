#include "image/sharpness.h"

#include <opencv2/imgproc.hpp>

namespace fai {

float laplacian_variance(const cv::Mat& image) {
  cv::Mat grey, laplacian;
  if (image.channels() == 3) {
    cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
  } else {
    grey = image;
  }
  cv::Laplacian(grey, laplacian, CV_32F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(laplacian, mean, stddev);
  return static_cast<float>(stddev[0] * stddev[0]);
}

}  // namespace fai
