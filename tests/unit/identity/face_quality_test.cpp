#include "analytics/identity/face_quality.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

namespace fai {
namespace {

Face face(float width, cv::Point2f nose) {
  Face f;
  f.box = {0, 0, width, width};
  f.keypoints[static_cast<int>(FaceKeypoint::kRightEye)] = {30, 40};
  f.keypoints[static_cast<int>(FaceKeypoint::kLeftEye)] = {70, 40};
  f.keypoints[static_cast<int>(FaceKeypoint::kNose)] = nose;
  return f;
}

cv::Mat checkerboard() {
  cv::Mat image(64, 64, CV_8UC3, cv::Scalar::all(0));
  for (int y = 0; y < 64; y += 8) {
    for (int x = (y / 8 % 2) * 8; x < 64; x += 16) {
      cv::rectangle(image, cv::Rect(x, y, 8, 8), cv::Scalar::all(255), cv::FILLED);
    }
  }
  return image;
}

TEST(FaceQuality, FrontalnessFromNoseBetweenTheEyes) {
  const struct {
    float nose_x;
    float frontalness;
  } cases[] = {{50, 1.0f}, {40, 0.5f}, {30, 0.0f}, {75, 0.0f}, {60, 0.5f}};
  for (const auto& c : cases) {
    EXPECT_NEAR(frontalness(face(100, {c.nose_x, 60})), c.frontalness, 1e-6) << c.nose_x;
  }
}

TEST(FaceQuality, GateNamesTheFirstFailure) {
  const cv::Mat sharp = checkerboard();
  const cv::Mat flat(64, 64, CV_8UC3, cv::Scalar::all(128));
  const struct {
    const char* name;
    Face face;
    const cv::Mat* crop;
    std::string rejected_because;
  } cases[] = {
      {"good", face(100, {50, 60}), &sharp, ""},
      {"small", face(20, {50, 60}), &sharp, "face narrower than 40 px"},
      {"blurred", face(100, {50, 60}), &flat, "blurred"},
      {"profile", face(100, {32, 60}), &sharp, "turned away"},
  };
  for (const auto& c : cases) {
    const FaceQuality q = assess_face(c.face, *c.crop, FaceQualityParams{});
    EXPECT_EQ(q.rejected_because, c.rejected_because) << c.name;
    EXPECT_EQ(q.acceptable(), c.rejected_because.empty()) << c.name;
  }
}

}  // namespace
}  // namespace fai
