// The pipeline hands its analyzers the camera's counting lines with each frame, and a line edit
// (Pipeline::set_lines, what PUT /api/cameras/{id}/lines calls) shows on the next frame: the
// plate analyzer's gate relies on it to follow the dashboard's line editor.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <mutex>

#include "pipeline/pipeline.h"

namespace fai {
namespace {

class NoDetections final : public Detector {
 public:
  Expected<std::vector<Detection>> detect(const cv::Mat&) override {
    return std::vector<Detection>();
  }
  const DetectTiming& last_timing() const override { return timing_; }
  const char* backend() const override { return "none"; }

 private:
  DetectTiming timing_;
};

// Keeps a copy of the lines each frame came with (empty when none came).
class LinesRecorder final : public FrameAnalyzer {
 public:
  std::string name() const override { return "lines"; }
  Status on_frame(const AnalyzerFrame& frame, FrameOutcome&) override {
    std::lock_guard lock(mutex);
    seen.push_back(frame.lines != nullptr ? *frame.lines : std::vector<CountingLine>());
    return {};
  }
  std::mutex mutex;
  std::vector<std::vector<CountingLine>> seen;
};

TEST(AnalyzerFrame, CarriesTheCameraLinesAndFollowsSetLines) {
  std::string pattern = (std::filesystem::temp_directory_path() / "fai-lines-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  auto ids = IdBlocks::open(pattern + "/frame-ids", 1);
  ASSERT_TRUE(ids) << ids.error().message;
  auto recorder = std::make_shared<LinesRecorder>();
  const DetectorFactory factory = []() -> Expected<std::unique_ptr<Detector>> {
    return std::unique_ptr<Detector>(std::make_unique<NoDetections>());
  };
  {
    auto pipeline = Pipeline::create(Config{}, factory, nullptr, {}, **ids, {recorder});
    ASSERT_TRUE(pipeline) << pipeline.error().message;
    const cv::Mat image(480, 640, CV_8UC3, cv::Scalar::all(0));
    auto process = [&] {
      auto future = (*pipeline)->submit({"gate", image, SystemTime{}});
      ASSERT_TRUE(future) << future.error().message;
      const auto outcome = future->get();
      ASSERT_TRUE(outcome) << outcome.error().message;
    };
    ASSERT_NO_FATAL_FAILURE(process());
    const CountingLine moved{"default", {0, 600}, {1, 600}, LineSide::kRight, true};
    ASSERT_TRUE((*pipeline)->set_lines("gate", {moved}));
    ASSERT_NO_FATAL_FAILURE(process());
    ASSERT_TRUE((*pipeline)->set_lines("gate", {}));  // back to the seed's line
    ASSERT_NO_FATAL_FAILURE(process());
    (*pipeline)->stop();
    std::lock_guard lock(recorder->mutex);
    ASSERT_EQ(recorder->seen.size(), 3u);
    EXPECT_EQ(recorder->seen[0], std::vector<CountingLine>{default_counting_line()});
    EXPECT_EQ(recorder->seen[1], std::vector<CountingLine>{moved});
    EXPECT_EQ(recorder->seen[2], std::vector<CountingLine>{default_counting_line()});
  }
  ids->reset();
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace fai
