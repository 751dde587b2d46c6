#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/config.h"

namespace fai {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}

TEST(LoadConfig, ExampleConfigIsValid) {
  auto config = load_config(std::string(FAI_SOURCE_DIR) + "/config/example.yaml");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->detector.type, "nanodet");
}

TEST(LoadConfig, ReadsValues) {
  auto config = load_config(write_temp("fai_cfg_ok.yaml",
                                       "inference: {backend: opencv, threads: 1}\n"
                                       "detector: {score_threshold: 0.5, classes: [0, 2]}\n"));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->inference.backend, Backend::kOpenCv);
  EXPECT_EQ(config->inference.threads, 1);
  EXPECT_FLOAT_EQ(config->detector.score_threshold, 0.5f);
  EXPECT_EQ(config->detector.classes, (std::vector<int>{0, 2}));
}

TEST(LoadConfig, ReportsEveryProblemAtOnce) {
  auto config =
      load_config(write_temp("fai_cfg_bad.yaml",
                             "inference: {backend: gpu, threads: zero}\n"
                             "detector: {type: yolo, score_threshold: 2, classes: [99]}\n"));
  ASSERT_FALSE(config.ok());
  const std::string& msg = config.error().message;
  for (const char* part : {"inference.backend", "inference.threads", "detector.model",
                           "detector.score_threshold", "detector.classes"}) {
    EXPECT_NE(msg.find(part), std::string::npos) << part << " missing from:\n" << msg;
  }
}

TEST(LoadConfig, MissingAndMalformedFiles) {
  EXPECT_EQ(load_config("/nonexistent.yaml").error().code, ErrorCode::kNotFound);
  auto bad = load_config(write_temp("fai_cfg_syntax.yaml", "detector: [unclosed\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fai
