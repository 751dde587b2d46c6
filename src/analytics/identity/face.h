#pragma once
// A detected face: box, score and the six BlazeFace keypoints, all in source pixels.

#include <array>

#include <opencv2/core/types.hpp>

#include "core/types.h"

namespace fai {

// Keypoint order of BlazeFace. "Right" is the subject's right, i.e. the image's left side
// on a frontal face.
enum class FaceKeypoint { kRightEye, kLeftEye, kNose, kMouth, kRightEar, kLeftEar };
inline constexpr int kFaceKeypoints = 6;

struct Face {
  Box box;
  float score = 0;
  std::array<cv::Point2f, kFaceKeypoints> keypoints{};

  const cv::Point2f& at(FaceKeypoint k) const { return keypoints[static_cast<int>(k)]; }
};

}  // namespace fai
