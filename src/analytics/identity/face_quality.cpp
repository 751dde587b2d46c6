#include "analytics/identity/face_quality.h"

#include <algorithm>
#include <cmath>

#include "image/sharpness.h"

namespace fai {

float frontalness(const Face& face) {
  const cv::Point2f right_eye = face.at(FaceKeypoint::kRightEye);
  const cv::Point2f eyes = face.at(FaceKeypoint::kLeftEye) - right_eye;
  const float eye_gap_sq = eyes.dot(eyes);
  if (eye_gap_sq <= 0) return 0;
  const float along = (face.at(FaceKeypoint::kNose) - right_eye).dot(eyes) / eye_gap_sq;
  return std::clamp(1.0f - 2.0f * std::abs(along - 0.5f), 0.0f, 1.0f);
}

FaceQuality assess_face(const Face& face, const cv::Mat& aligned_bgr,
                        const FaceQualityParams& params) {
  FaceQuality q;
  q.face_px = face.box.width();
  q.sharpness = laplacian_variance(aligned_bgr);
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
