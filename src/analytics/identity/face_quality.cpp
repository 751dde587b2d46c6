#include "analytics/identity/face_quality.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace fai {

float frontalness(const Face& face) {
  const cv::Point2f right_eye = face.at(FaceKeypoint::kRightEye);
  const cv::Point2f eyes = face.at(FaceKeypoint::kLeftEye) - right_eye;
  const float eye_gap_sq = eyes.dot(eyes);
  if (eye_gap_sq <= 0) return 0;
  const float along = (face.at(FaceKeypoint::kNose) - right_eye).dot(eyes) / eye_gap_sq;
  return std::clamp(1.0f - 2.0f * std::abs(along - 0.5f), 0.0f, 1.0f);
}

float face_sharpness(const cv::Mat& bgr) {
  cv::Mat grey, laplacian;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  cv::Laplacian(grey, laplacian, CV_32F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(laplacian, mean, stddev);
  return static_cast<float>(stddev[0] * stddev[0]);
}

FaceQuality assess_face(const Face& face, const cv::Mat& aligned_bgr,
                        const FaceQualityParams& params) {
  FaceQuality q;
  q.face_px = face.box.width();
  q.sharpness = face_sharpness(aligned_bgr);
  q.frontalness = frontalness(face);
  if (q.face_px < params.min_face_px) {
    q.rejected_because = "face narrower than " + std::to_string(int(params.min_face_px)) + " px";
  } else if (q.sharpness < params.min_sharpness) {
    q.rejected_because = "blurred";
  } else if (q.frontalness < params.min_frontalness) {
    q.rejected_because = "turned away";
  }
  return q;
}

}  // namespace fai
