#include "analytics/identity/face_align.h"

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

TEST(AlignFace, CoincidentEyesAreAnError) {
  auto aligned = align_face(cv::Mat(10, 10, CV_8UC3), face_with_eyes({5, 5}, {5, 5}),
                            face_template_for("faceres", 224, 224));
  ASSERT_FALSE(aligned.ok());
  EXPECT_EQ(aligned.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fai
