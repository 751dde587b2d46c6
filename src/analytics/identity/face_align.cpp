#include "analytics/identity/face_align.h"

#include <opencv2/imgproc.hpp>

namespace fai {
namespace {

// ArcFace's canonical 112x112 five-point template, eye points only.
constexpr float kArcFaceRightEyeX = 38.2946f, kArcFaceRightEyeY = 51.6963f;
constexpr float kArcFaceLeftEyeX = 73.5318f, kArcFaceLeftEyeY = 51.5014f;
constexpr int kArcFaceSize = 112;

// faceres sweep on dlib_johns (eye distance 0.20..0.40 of the width, height 0.35..0.42):
// 0.30-0.35 apart was best (TAR 100 % at 1 % FAR), height mattered little.
constexpr float kEyeDistanceFraction = 0.32f;
constexpr float kEyeHeightFraction = 0.38f;

}  // namespace

FaceTemplate face_template_for(const std::string& model_name, int input_width, int input_height) {
  if (model_name == "mobilefacenet") {
    const float sx = static_cast<float>(input_width) / kArcFaceSize;
    const float sy = static_cast<float>(input_height) / kArcFaceSize;
    return {input_width,
            input_height,
            {kArcFaceRightEyeX * sx, kArcFaceRightEyeY * sy},
            {kArcFaceLeftEyeX * sx, kArcFaceLeftEyeY * sy}};
  }
  const float half_gap = 0.5f * kEyeDistanceFraction * input_width;
  const float eye_y = kEyeHeightFraction * input_height;
  const float mid_x = 0.5f * input_width;
  return {input_width, input_height, {mid_x - half_gap, eye_y}, {mid_x + half_gap, eye_y}};
}

cv::Matx23d eye_similarity(const cv::Point2f& right_eye, const cv::Point2f& left_eye,
                           const FaceTemplate& to) {
  // As complex numbers: dst = a * src + b with a = (dst_l - dst_r) / (src_l - src_r).
  const cv::Point2d s = cv::Point2d(left_eye) - cv::Point2d(right_eye);
  const cv::Point2d d = cv::Point2d(to.left_eye) - cv::Point2d(to.right_eye);
  const double norm = s.dot(s);
  FAI_CHECK(norm > 0);
  const double a = (d.x * s.x + d.y * s.y) / norm;  // scale * cos(angle)
  const double b = (d.y * s.x - d.x * s.y) / norm;  // scale * sin(angle)
  const double tx = to.right_eye.x - (a * right_eye.x - b * right_eye.y);
  const double ty = to.right_eye.y - (b * right_eye.x + a * right_eye.y);
  return {a, -b, tx, b, a, ty};
}

Expected<cv::Mat> align_face(const cv::Mat& bgr, const Face& face, const FaceTemplate& to) {
  const cv::Point2f& right_eye = face.at(FaceKeypoint::kRightEye);
  const cv::Point2f& left_eye = face.at(FaceKeypoint::kLeftEye);
  if (cv::norm(left_eye - right_eye) < kMinEyeDistancePx) {
    return make_error(ErrorCode::kInvalidArgument, "face eyes coincide: cannot align");
  }
  const cv::Matx23d m = eye_similarity(right_eye, left_eye, to);
  cv::Mat aligned;
  cv::warpAffine(bgr, aligned, cv::Mat(m), cv::Size(to.width, to.height), cv::INTER_LINEAR,
                 cv::BORDER_REPLICATE);
  return aligned;
}

}  // namespace fai
