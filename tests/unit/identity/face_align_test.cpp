#include "analytics/identity/face_align.h"

#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace fai {
namespace {

cv::Point2d apply(const cv::Matx23d& m, const cv::Point2f& p) {
  return {m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2), m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2)};
}

Face face_with_eyes(cv::Point2f right_eye, cv::Point2f left_eye) {
  Face f;
  f.keypoints[static_cast<int>(FaceKeypoint::kRightEye)] = right_eye;
  f.keypoints[static_cast<int>(FaceKeypoint::kLeftEye)] = left_eye;
  return f;
}

TEST(EyeSimilarity, MapsBothEyesExactlyOntoTheTemplate) {
  const FaceTemplate to = face_template_for("faceres", 224, 224);
  const struct {
    const char* name;
    cv::Point2f right_eye, left_eye;
  } cases[] = {
      {"level", {100, 100}, {160, 100}},
      {"tilted", {300, 220}, {340, 250}},
      {"upside down", {500, 400}, {420, 380}},
      {"tiny", {10.5f, 10}, {13, 11}},
  };
  for (const auto& c : cases) {
    const cv::Matx23d m = eye_similarity(c.right_eye, c.left_eye, to);
    const cv::Point2d r = apply(m, c.right_eye), l = apply(m, c.left_eye);
    EXPECT_NEAR(r.x, to.right_eye.x, 1e-9) << c.name;
    EXPECT_NEAR(r.y, to.right_eye.y, 1e-9) << c.name;
    EXPECT_NEAR(l.x, to.left_eye.x, 1e-9) << c.name;
    EXPECT_NEAR(l.y, to.left_eye.y, 1e-9) << c.name;
    // similarity: no shear, equal scale on both axes
    EXPECT_NEAR(m(0, 0), m(1, 1), 1e-12) << c.name;
    EXPECT_NEAR(m(0, 1), -m(1, 0), 1e-12) << c.name;
  }
}

TEST(FaceTemplate, EyesAreLevelAndOrderedForEveryModel) {
  for (const char* model : {"faceres", "mobilefacenet", "unknown"}) {
    const FaceTemplate t = face_template_for(model, 112, 112);
    EXPECT_LT(t.right_eye.x, t.left_eye.x) << model;
    EXPECT_NEAR(t.right_eye.y, t.left_eye.y, 0.5) << model;
  }
}

// Two white dots on the eyes land on the template's eye pixels of the warped crop.
TEST(AlignFace, WarpsEyeDotsOntoTemplatePixels) {
  const FaceTemplate to = face_template_for("faceres", 224, 224);
  cv::Mat image(300, 400, CV_8UC3, cv::Scalar::all(0));
  const cv::Point2f right_eye(150, 160), left_eye(210, 130);
  cv::circle(image, right_eye, 3, cv::Scalar::all(255), cv::FILLED);
  cv::circle(image, left_eye, 3, cv::Scalar::all(255), cv::FILLED);
  auto aligned = align_face(image, face_with_eyes(right_eye, left_eye), to);
  ASSERT_TRUE(aligned.ok());
  ASSERT_EQ(aligned->size(), cv::Size(224, 224));
  for (const cv::Point2f& eye : {to.right_eye, to.left_eye}) {
    EXPECT_GT(aligned->at<cv::Vec3b>(cv::Point(eye))[0], 200) << eye;
  }
}

// Four points moved by a known similarity come back exactly; with noise on one point the fit
// spreads the error instead of copying it.
TEST(LeastSquaresSimilarity, RecoversAKnownTransform) {
  const std::vector<cv::Point2f> from{{10, 20}, {50, 18}, {31, 40}, {30, 60}};
  const double angle = 0.3, scale = 1.7;
  const double a = scale * std::cos(angle), b = scale * std::sin(angle);
  std::vector<cv::Point2f> to;
  for (const auto& p : from) {
    to.emplace_back(static_cast<float>(a * p.x - b * p.y + 5),
                    static_cast<float>(b * p.x + a * p.y - 7));
  }
  const cv::Matx23d m = least_squares_similarity(from, to);
  EXPECT_NEAR(m(0, 0), a, 1e-5);
  EXPECT_NEAR(m(1, 0), b, 1e-5);
  EXPECT_NEAR(m(0, 2), 5, 1e-3);
  EXPECT_NEAR(m(1, 2), -7, 1e-3);
}

TEST(FaceTemplate, NoseAndMouthSitBelowTheEyesOnTheMidline) {
  for (const char* model : {"faceres", "mobilefacenet"}) {
    const FaceTemplate t = face_template_for(model, 112, 112);
    const float mid_x = 0.5f * (t.right_eye.x + t.left_eye.x);
    EXPECT_NEAR(t.nose.x, mid_x, 1) << model;
    EXPECT_NEAR(t.mouth.x, mid_x, 1) << model;
    EXPECT_GT(t.nose.y, t.left_eye.y) << model;
    EXPECT_GT(t.mouth.y, t.nose.y) << model;
    EXPECT_LT(t.mouth.y, 112) << model;
  }
}

TEST(AlignFace, FivePointAlignmentOfATemplateFaceIsTheIdentity) {
  FaceTemplate to = face_template_for("faceres", 224, 224);
  to.points = AlignPoints::kEyesNoseMouth;
  Face face;
  face.keypoints[static_cast<int>(FaceKeypoint::kRightEye)] = to.right_eye;
  face.keypoints[static_cast<int>(FaceKeypoint::kLeftEye)] = to.left_eye;
  face.keypoints[static_cast<int>(FaceKeypoint::kNose)] = to.nose;
  face.keypoints[static_cast<int>(FaceKeypoint::kMouth)] = to.mouth;
  cv::Mat image(224, 224, CV_8UC3);
  cv::randu(image, 0, 255);
  auto aligned = align_face(image, face, to);
  ASSERT_TRUE(aligned.ok());
  EXPECT_LE(cv::norm(*aligned, image, cv::NORM_INF), 1);
}

TEST(AlignFace, CoincidentEyesAreAnError) {
  auto aligned = align_face(cv::Mat(10, 10, CV_8UC3), face_with_eyes({5, 5}, {5, 5}),
                            face_template_for("faceres", 224, 224));
  ASSERT_FALSE(aligned.ok());
  EXPECT_EQ(aligned.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fai
