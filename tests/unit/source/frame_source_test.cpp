#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "source/frame_source.h"

namespace fai {
namespace {

namespace fs = std::filesystem;

class FrameSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fai_source_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static cv::Mat solid(int value) { return cv::Mat(48, 64, CV_8UC3, cv::Scalar::all(value)); }

  std::vector<Frame> drain(FrameSource& source) {
    std::vector<Frame> frames;
    for (;;) {
      auto next = source.next();
      if (!next.ok()) {
        errors_.push_back(next.error().message);
        continue;
      }
      if (!next->has_value()) return frames;
      frames.push_back(std::move(**next));
    }
  }

  fs::path dir_;
  std::vector<std::string> errors_;
};

TEST_F(FrameSourceTest, FolderYieldsImagesInNameOrderAndSkipsOtherFiles) {
  cv::imwrite((dir_ / "b.png").string(), solid(200));
  cv::imwrite((dir_ / "a.jpg").string(), solid(100));
  std::ofstream(dir_ / "notes.txt") << "not an image";
  auto source = open_source(dir_.string(), {});
  ASSERT_TRUE(source.ok()) << source.error().message;
  EXPECT_EQ((*source)->total_frames(), 2);
  const auto frames = drain(**source);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_NEAR(frames[0].image.at<cv::Vec3b>(0, 0)[0], 100, 2);
  EXPECT_EQ(frames[1].image.at<cv::Vec3b>(0, 0)[0], 200);
  EXPECT_EQ(frames[1].seq, 1);
}

TEST_F(FrameSourceTest, CorruptImageInFolderIsAnErrorAndTheRestContinue) {
  cv::imwrite((dir_ / "a.png").string(), solid(50));
  std::ofstream(dir_ / "b.jpg") << "garbage";
  cv::imwrite((dir_ / "c.png").string(), solid(60));
  auto source = open_source(dir_.string(), {});
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(drain(**source).size(), 2u);
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_[0].find("b.jpg"), std::string::npos);
}

TEST_F(FrameSourceTest, VideoFileYieldsEveryFrame) {
  const std::string path = (dir_ / "clip.avi").string();
  cv::VideoWriter writer(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, {64, 48});
  ASSERT_TRUE(writer.isOpened());
  for (int i = 0; i < 5; ++i) writer.write(solid(40 * i));
  writer.release();
  auto source = open_source(path, {});
  ASSERT_TRUE(source.ok()) << source.error().message;
  EXPECT_EQ(drain(**source).size(), 5u);
}

TEST_F(FrameSourceTest, BadInputsGiveClearErrors) {
  std::ofstream(dir_ / "fake.mp4") << "not a video";
  fs::create_directories(dir_ / "empty");
  struct Case {
    std::string input;
    ErrorCode code;
    std::string part;
  };
  const Case cases[] = {
      {(dir_ / "missing.jpg").string(), ErrorCode::kNotFound, "no such file"},
      {(dir_ / "fake.mp4").string(), ErrorCode::kInvalidArgument, "not a readable"},
      {(dir_ / "empty").string(), ErrorCode::kNotFound, "no images"},
      {"gopher://example/stream", ErrorCode::kInvalidArgument, "unsupported stream URL"},
  };
  for (const auto& c : cases) {
    auto source = open_source(c.input, {});
    ASSERT_FALSE(source.ok()) << c.input;
    EXPECT_EQ(source.error().code, c.code) << c.input;
    EXPECT_NE(source.error().message.find(c.part), std::string::npos) << source.error().message;
  }
}

TEST_F(FrameSourceTest, UnreachableStreamGivesUpAfterBoundedReconnects) {
  SourceOptions options;
  options.max_reconnects = 2;
  options.initial_backoff = std::chrono::milliseconds(5);
  options.open_timeout = std::chrono::milliseconds(1000);
  auto source = open_source("rtsp://127.0.0.1:9/none", options);
  ASSERT_TRUE(source.ok());
  auto frame = (*source)->next();
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(frame.error().message.find("3 attempts"), std::string::npos) << frame.error().message;
}

}  // namespace
}  // namespace fai
