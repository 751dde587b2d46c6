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

TEST(LoadConfig, AnprSectionValuesAndProblems) {
  auto config =
      load_config(write_temp("fai_cfg_anpr.yaml",
                             "anpr: {max_ocr_frames: 3, gate_lines: [gate/entrance],\n"
                             "       min_sharpness: 25, alert_unknown: false,\n"
                             "       max_visit_hours: 12, engines: [ppocr, tesseract]}\n"));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->anpr.max_ocr_frames, 3);
  EXPECT_EQ(config->anpr.gate_lines, (std::vector<std::string>{"gate/entrance"}));
  EXPECT_FLOAT_EQ(config->anpr.min_sharpness, 25.0f);
  EXPECT_FALSE(config->anpr.alert_unknown);
  EXPECT_EQ(config->anpr.max_visit_hours, 12);
  EXPECT_EQ(config->anpr.engines, (std::vector<std::string>{"ppocr", "tesseract"}));
  auto bad = load_config(write_temp("fai_cfg_anpr_bad.yaml",
                                    "anpr: {gate_lines: [entrance], ocr_window_frames: 0,\n"
                                    "       max_edit_distance: 7, formats: [xx],\n"
                                    "       max_visit_hours: 0, engines: [easyocr]}\n"));
  ASSERT_FALSE(bad.ok());
  for (const char* part : {"anpr.gate_lines", "anpr.ocr_window_frames", "anpr.max_edit_distance",
                           "anpr.formats", "anpr.max_visit_hours", "anpr.engines"}) {
    EXPECT_NE(bad.error().message.find(part), std::string::npos) << part;
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

namespace fai {
namespace {

TEST(LoadConfig, ServerSectionsAndCameras) {
  auto config = load_config(write_temp("fai_cfg_cameras.yaml", R"(
server: {port: 8081, max_body_bytes: 2048}
store: {url: "postgresql://fai@127.0.0.1:5432/fai"}
pipeline: {workers: 2, queue_per_camera: 3}
cameras:
  locked: true
  list:
    - id: gate
      lines:
        - {id: door, start: [0, 240], end: [640, 240], in_side: left}
    - id: yard
      source: rtsp://127.0.0.1:8554/yard
)"));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->server.port, 8081);
  EXPECT_EQ(config->store.url, "postgresql://fai@127.0.0.1:5432/fai");
  EXPECT_EQ(config->pipeline.workers, 2);
  EXPECT_TRUE(config->cameras_locked);
  ASSERT_EQ(config->cameras.size(), 2u);
  ASSERT_EQ(config->cameras[0].lines.size(), 1u);
  EXPECT_FLOAT_EQ(config->cameras[0].lines[0].y2, 240);
  EXPECT_EQ(config->cameras[0].lines[0].in_side, "left");
  EXPECT_EQ(config->cameras[1].source, "rtsp://127.0.0.1:8554/yard");
}

TEST(LoadConfig, UnknownKeysAndBadCamerasAreProblems) {
  auto config = load_config(write_temp("fai_cfg_typos.yaml", R"(
sever: {port: 1}
detector: {score_treshold: 0.2}
cameras:
  list:
    - id: a
      lines: [{id: l, start: [1, 1], end: [1, 1], in_side: up}]
    - id: a
)"));
  ASSERT_FALSE(config.ok());
  const std::string& msg = config.error().message;
  for (const char* part :
       {"sever: unknown section", "detector.score_treshold: unknown key", "duplicate camera id 'a'",
        "in_side: must be left or right", "same point"}) {
    EXPECT_NE(msg.find(part), std::string::npos) << part << " missing from:\n" << msg;
  }
}

}  // namespace
}  // namespace fai
