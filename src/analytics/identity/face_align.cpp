#include "analytics/identity/face_align.h"

#include <opencv2/imgproc.hpp>

namespace fai {
namespace {

// ArcFace's canonical 112x112 five-point template, eye points only.
constexpr float kArcFaceRightEyeX = 38.2946f, kArcFaceRightEyeY = 51.6963f;
constexpr float kArcFaceLeftEyeX = 73.5318f, kArcFaceLeftEyeY = 51.5014f;
constexpr float kArcFaceNoseX = 56.0252f, kArcFaceNoseY = 71.7366f;
// BlazeFace's mouth keypoint is the mouth centre: the mean of ArcFace's two mouth corners.
constexpr float kArcFaceMouthX = 56.1396f, kArcFaceMouthY = 92.2848f;
constexpr int kArcFaceSize = 112;

// faceres sweep on dlib_johns (eye distance 0.20..0.40 of the width, height 0.35..0.42):
// 0.30-0.35 apart was best (TAR 100 % at 1 % FAR), height mattered little.
constexpr float kEyeDistanceFraction = 0.32f;
constexpr float kEyeHeightFraction = 0.38f;

// ArcFace's template moved so that its eye midpoint lands on `eye_mid` and scaled by `scale`.
FaceTemplate arcface_like(int width, int height, cv::Point2f eye_mid, float scale) {
  const cv::Point2f arc_mid(0.5f * (kArcFaceRightEyeX + kArcFaceLeftEyeX),
                            0.5f * (kArcFaceRightEyeY + kArcFaceLeftEyeY));
  auto place = [&](float x, float y) { return eye_mid + (cv::Point2f(x, y) - arc_mid) * scale; };
  FaceTemplate t;
  t.width = width;
  t.height = height;
  t.right_eye = place(kArcFaceRightEyeX, kArcFaceRightEyeY);
  t.left_eye = place(kArcFaceLeftEyeX, kArcFaceLeftEyeY);
  t.nose = place(kArcFaceNoseX, kArcFaceNoseY);
  t.mouth = place(kArcFaceMouthX, kArcFaceMouthY);
  return t;
}

}  // namespace

FaceTemplate face_template_for(const std::string& model_name, int input_width, int input_height) {
  if (model_name == "mobilefacenet") {
    const float s = static_cast<float>(input_width) / kArcFaceSize;
    const cv::Point2f arc_mid(0.5f * (kArcFaceRightEyeX + kArcFaceLeftEyeX),
                              0.5f * (kArcFaceRightEyeY + kArcFaceLeftEyeY));
    return arcface_like(input_width, input_height, arc_mid * s, s);
  }
  const float arc_eye_gap = kArcFaceLeftEyeX - kArcFaceRightEyeX;
  const float scale = kEyeDistanceFraction * static_cast<float>(input_width) / arc_eye_gap;
  const cv::Point2f eye_mid(0.5f * input_width, kEyeHeightFraction * input_height);
  FaceTemplate t = arcface_like(input_width, input_height, eye_mid, scale);
  // Level eyes exactly (ArcFace's differ by 0.2 px), as in the sweep that chose these numbers.
  const float half_gap = 0.5f * kEyeDistanceFraction * input_width;
  t.right_eye = {eye_mid.x - half_gap, eye_mid.y};
  t.left_eye = {eye_mid.x + half_gap, eye_mid.y};
  return t;
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

cv::Matx23d least_squares_similarity(const std::vector<cv::Point2f>& from,
                                     const std::vector<cv::Point2f>& to) {
  // As complex numbers: minimise sum |a * s + b - d|^2; with centred points
  // a = sum(conj(s) * d) / sum |s|^2 and b = mean(d) - a * mean(s).
  FAI_CHECK(from.size() == to.size() && from.size() >= 2);
  cv::Point2d ms, md;
  for (size_t i = 0; i < from.size(); ++i) ms += cv::Point2d(from[i]), md += cv::Point2d(to[i]);
  ms *= 1.0 / static_cast<double>(from.size());
  md *= 1.0 / static_cast<double>(from.size());
  double re = 0, im = 0, norm = 0;
  for (size_t i = 0; i < from.size(); ++i) {
    const cv::Point2d s = cv::Point2d(from[i]) - ms, d = cv::Point2d(to[i]) - md;
    re += s.x * d.x + s.y * d.y;
    im += s.x * d.y - s.y * d.x;
    norm += s.dot(s);
  }
  FAI_CHECK(norm > 0);
  const double a = re / norm, b = im / norm;
  return {a, -b, md.x - (a * ms.x - b * ms.y), b, a, md.y - (b * ms.x + a * ms.y)};
}

Expected<cv::Mat> align_face(const cv::Mat& bgr, const Face& face, const FaceTemplate& to) {
  const cv::Point2f& right_eye = face.at(FaceKeypoint::kRightEye);
  const cv::Point2f& left_eye = face.at(FaceKeypoint::kLeftEye);
  if (cv::norm(left_eye - right_eye) < kMinEyeDistancePx) {
    return make_error(ErrorCode::kInvalidArgument, "face eyes coincide: cannot align");
  }
  const cv::Matx23d m =
      to.points == AlignPoints::kEyes
          ? eye_similarity(right_eye, left_eye, to)
          : least_squares_similarity(
                {right_eye, left_eye, face.at(FaceKeypoint::kNose), face.at(FaceKeypoint::kMouth)},
                {to.right_eye, to.left_eye, to.nose, to.mouth});
  cv::Mat aligned;
  cv::warpAffine(bgr, aligned, cv::Mat(m), cv::Size(to.width, to.height), cv::INTER_LINEAR,
                 cv::BORDER_REPLICATE);
  return aligned;
}

}  // namespace fai
