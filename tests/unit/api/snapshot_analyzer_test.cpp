// The latest frame per camera, annotated on request.

#include "pipeline/analyzers/snapshot_analyzer.h"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

namespace fai {
namespace {

// Colour distance from grey, the most within 3 px of (x, y) (JPEG smears thin strokes):
// annotations are saturated, the test frame is flat grey.
int saturation_at(const cv::Mat& image, int x, int y) {
  int most = 0;
  for (int yy = std::max(0, y - 3); yy <= std::min(image.rows - 1, y + 3); ++yy) {
    for (int xx = std::max(0, x - 3); xx <= std::min(image.cols - 1, x + 3); ++xx) {
      const cv::Vec3b p = image.at<cv::Vec3b>(yy, xx);
      most = std::max(most, std::max({p[0], p[1], p[2]}) - std::min({p[0], p[1], p[2]}));
    }
  }
  return most;
}

class SnapshotAnalyzerTest : public ::testing::Test {
 protected:
  void feed(const std::string& camera, const cv::Mat& image) {
    FrameOutcome out;
    out.camera_id = camera;
    Track t;
    t.id = 17;
    t.class_id = coco::kPerson;
    t.box = {100, 100, 200, 300};
    t.det_index = 0;
    out.tracks.push_back(t);
    out.faces_recognized.push_back({17, "E1", "Ada", 0.9f, "local", true});
    const std::vector<int64_t> ended;
    const AnalyzerFrame frame{camera, image, SystemTime{}, 1, ended};
    ASSERT_TRUE(analyzer.on_frame(frame, out).ok());
  }

  SnapshotAnalyzer analyzer;
};

TEST_F(SnapshotAnalyzerTest, NoSnapshotBeforeTheFirstFrame) {
  EXPECT_FALSE(analyzer.has_snapshot("door"));
  auto jpeg = analyzer.jpeg("door", {});
  ASSERT_FALSE(jpeg.ok());
  EXPECT_EQ(jpeg.error().code, ErrorCode::kNotFound);
}

TEST_F(SnapshotAnalyzerTest, DrawsBoxesAndLinesOnACopyOfTheLatestFrame) {
  const cv::Mat frame(480, 640, CV_8UC3, cv::Scalar(114, 114, 114));
  feed("door", frame);
  EXPECT_TRUE(analyzer.has_snapshot("door"));
  EXPECT_FALSE(analyzer.has_snapshot("gate"));
  const CountingLine line{"main", {0, 400}, {1, 400}, LineSide::kRight, true};
  auto jpeg = analyzer.jpeg("door", {line});
  ASSERT_TRUE(jpeg.ok()) << jpeg.error().message;
  const cv::Mat image = cv::imdecode(*jpeg, cv::IMREAD_COLOR);
  ASSERT_EQ(image.cols, 640);
  ASSERT_EQ(image.rows, 480);
  EXPECT_GT(saturation_at(image, 100, 200), 60) << "the box's left edge";
  EXPECT_LT(saturation_at(image, 150, 200), 20) << "inside the box stays grey";
  EXPECT_GT(saturation_at(image, 5, 400), 60) << "an infinite line spans the frame";
  EXPECT_GT(saturation_at(image, 630, 400), 60);
  EXPECT_LT(saturation_at(image, 320, 50), 20) << "far from every annotation";
  EXPECT_EQ(frame.at<cv::Vec3b>(400, 5), cv::Vec3b(114, 114, 114))
      << "the frame itself is untouched";

  auto plain = analyzer.jpeg("door", {});
  ASSERT_TRUE(plain.ok());
  EXPECT_LT(saturation_at(cv::imdecode(*plain, cv::IMREAD_COLOR), 5, 400), 20) << "no lines asked";
}

TEST_F(SnapshotAnalyzerTest, KeepsOnlyTheLatestFramePerCamera) {
  feed("door", cv::Mat(480, 640, CV_8UC3, cv::Scalar(114, 114, 114)));
  feed("door", cv::Mat(240, 320, CV_8UC3, cv::Scalar(114, 114, 114)));
  feed("gate", cv::Mat(100, 100, CV_8UC3, cv::Scalar(114, 114, 114)));
  auto jpeg = analyzer.jpeg("door", {});
  ASSERT_TRUE(jpeg.ok());
  EXPECT_EQ(cv::imdecode(*jpeg, cv::IMREAD_COLOR).cols, 320);
}

}  // namespace
}  // namespace fai
