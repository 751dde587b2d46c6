// The recognition and aws sections: values read, problems reported by key.

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

TEST(RecognitionConfig, ReadsModeBandAndAwsLimits) {
  auto config = load_config(write_temp(
      "fai_cfg_recognition.yaml",
      "recognition: {mode: hybrid, threshold: 0.6, hybrid_band: 0.05, cache_ttl_s: 30, "
      "max_attempts: 5}\n"
      "aws: {min_similarity_pct: 95, monthly_budget_usd: 20, price_per_image_usd: 0.0008}\n"));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->recognition.mode, "hybrid");
  EXPECT_FLOAT_EQ(config->recognition.threshold, 0.6f);
  EXPECT_FLOAT_EQ(config->recognition.hybrid_band, 0.05f);
  EXPECT_EQ(config->recognition.cache_ttl_s, 30);
  EXPECT_EQ(config->recognition.max_attempts, 5);
  EXPECT_DOUBLE_EQ(config->aws.min_similarity_pct, 95);
  EXPECT_DOUBLE_EQ(config->aws.monthly_budget_usd, 20);
  EXPECT_DOUBLE_EQ(config->aws.price_per_image_usd, 0.0008);
}

TEST(RecognitionConfig, BadValuesAreProblems) {
  auto config =
      load_config(write_temp("fai_cfg_recognition_bad.yaml",
                             "recognition: {mode: cloud, hybrid_band: 2, max_attempts: 0}\n"
                             "aws: {min_similarity_pct: 120}\n"));
  ASSERT_FALSE(config.ok());
  const std::string& msg = config.error().message;
  for (const char* part : {"recognition.mode", "recognition.hybrid_band",
                           "recognition.max_attempts", "aws.min_similarity_pct"}) {
    EXPECT_NE(msg.find(part), std::string::npos) << part << " missing from:\n" << msg;
  }
}

}  // namespace
}  // namespace fai
