#include "detect/detector.h"

#include <algorithm>
#include <filesystem>
#include <tuple>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "infer/session.h"

namespace fai {
namespace {

std::string test_model(const std::string& file) {
  return std::string(FAI_TEST_MODELS_DIR) + "/" + file;
}

DetectorConfig yolo_config(const std::string& model) {
  DetectorConfig config;
  config.type = "yolo";
  config.model = model;
  return config;
}

void expect_box_near(const Box& got, const Box& want, float tolerance = 1e-3f) {
  EXPECT_NEAR(got.x1, want.x1, tolerance);
  EXPECT_NEAR(got.y1, want.y1, tolerance);
  EXPECT_NEAR(got.x2, want.x2, tolerance);
  EXPECT_NEAR(got.y2, want.y2, tolerance);
}

// tiny_yolo: every anchor says cx=32 cy=32 w=20 h=10 (model pixels), class 5 at 0.9.
TEST(YoloDetector, MapsBoxesBackThroughTheLetterbox) {
  auto detector = make_detector(yolo_config(test_model("tiny_yolo.onnx")), InferenceConfig{});
  ASSERT_TRUE(detector.ok()) << detector.error().message;
  EXPECT_STREQ((*detector)->backend(), "opencv");
  const cv::Mat wide(64, 128, CV_8UC3, cv::Scalar(30, 60, 90));  // scale 0.5, 16 px pad on top
  auto dets = (*detector)->detect(wide);
  ASSERT_TRUE(dets.ok()) << dets.error().message;
  ASSERT_EQ(dets->size(), 1u) << "84 identical anchors must suppress to one box";
  EXPECT_EQ(dets->front().class_id, 5);
  EXPECT_FLOAT_EQ(dets->front().score, 0.9f);
  expect_box_near(dets->front().box, {44, 22, 84, 42});
  EXPECT_GT((*detector)->last_timing().forward_ms, 0.0);
}

TEST(YoloDetector, ClassFilterDropsTheBox) {
  DetectorConfig config = yolo_config(test_model("tiny_yolo.onnx"));
  config.classes = {0};
  auto detector = make_detector(config, InferenceConfig{});
  ASSERT_TRUE(detector.ok()) << detector.error().message;
  auto dets = (*detector)->detect(cv::Mat(64, 64, CV_8UC3, cv::Scalar::all(0)));
  ASSERT_TRUE(dets.ok());
  EXPECT_TRUE(dets->empty());
}

// tiny_nanodet scores only its four stride-32 cells (class 2 at 0.8), each box half a stride
// from the cell centre on every side: four 32x32 quadrants of the 64x64 input.
TEST(NanoDetDetector, DecodesQuadrantsOnEveryBackend) {
  for (Backend backend : {Backend::kOpenCv, Backend::kTorch}) {
    if (backend == Backend::kTorch && !torch_available()) continue;
    InferenceConfig inference;
    inference.models_dir = test_model("nanodet");
    inference.backend = backend;
    auto detector = make_detector(DetectorConfig{}, inference);
    ASSERT_TRUE(detector.ok()) << detector.error().message;
    auto dets = (*detector)->detect(cv::Mat(128, 128, CV_8UC3, cv::Scalar::all(7)));
    ASSERT_TRUE(dets.ok()) << dets.error().message;
    ASSERT_EQ(dets->size(), 4u) << (*detector)->backend();
    std::vector<Box> boxes;
    for (const Detection& d : *dets) {
      EXPECT_EQ(d.class_id, 2);
      EXPECT_NEAR(d.score, 0.8f, 1e-5f);
      boxes.push_back(d.box);
    }
    std::sort(boxes.begin(), boxes.end(), [](const Box& a, const Box& b) {
      return std::tie(a.y1, a.x1) < std::tie(b.y1, b.x1);
    });
    const Box expected[] = {{0, 0, 64, 64}, {64, 0, 128, 64}, {0, 64, 64, 128}, {64, 64, 128, 128}};
    for (size_t i = 0; i < 4; ++i) expect_box_near(boxes[i], expected[i], 1e-2f);
  }
}

TEST(MakeDetector, ConfigurationProblemsAreErrors) {
  InferenceConfig torch_inference;
  torch_inference.backend = Backend::kTorch;
  InferenceConfig missing_models;
  missing_models.models_dir = test_model("no_such_dir");
  InferenceConfig nanodet_models;
  nanodet_models.models_dir = test_model("nanodet");
  DetectorConfig unknown_model;
  unknown_model.model = "yolov9";
  DetectorConfig unknown_type;
  unknown_type.type = "detr";
  struct Case {
    const char* name;
    DetectorConfig config;
    InferenceConfig inference;
    ErrorCode code;
  };
  const Case cases[] = {
      {"unknown_type", unknown_type, {}, ErrorCode::kInvalidArgument},
      {"yolo_without_model", yolo_config(""), {}, ErrorCode::kInvalidArgument},
      {"yolo_missing_file", yolo_config(test_model("nope.onnx")), {}, ErrorCode::kNotFound},
      {"yolo_on_torch", yolo_config(test_model("tiny_yolo.onnx")), torch_inference,
       ErrorCode::kUnsupported},
      {"yolo_wrong_outputs", yolo_config(test_model("tiny_conv.onnx")), {}, ErrorCode::kCorrupt},
      {"nanodet_no_manifest", DetectorConfig{}, missing_models, ErrorCode::kNotFound},
      {"nanodet_unknown_model", unknown_model, nanodet_models, ErrorCode::kNotFound},
  };
  for (const Case& c : cases) {
    auto detector = make_detector(c.config, c.inference);
    ASSERT_FALSE(detector.ok()) << c.name;
    EXPECT_EQ(detector.error().code, c.code) << c.name << ": " << detector.error().message;
  }
}

TEST(Detector, RejectsImagesThatAreNotBgr) {
  auto detector = make_detector(yolo_config(test_model("tiny_yolo.onnx")), InferenceConfig{});
  ASSERT_TRUE(detector.ok()) << detector.error().message;
  for (const cv::Mat& image : {cv::Mat(), cv::Mat(8, 8, CV_8UC1), cv::Mat(8, 8, CV_32FC3)}) {
    auto dets = (*detector)->detect(image);
    ASSERT_FALSE(dets.ok());
    EXPECT_EQ(dets.error().code, ErrorCode::kInvalidArgument);
  }
}

// The real NanoDet from tools/models on darknet's dog.jpg (768x576): a dog lower left, a
// bicycle across the centre, a truck (often also called a car) upper right.
TEST(NanoDetOnRealModel, FindsDogBicycleAndTruck) {
  const std::string models_dir = std::string(FAI_SOURCE_DIR) + "/models";
  const std::string image_path = "/usr/share/darknet/data/dog.jpg";
  if (!std::filesystem::exists(models_dir + "/manifest.json")) {
    GTEST_SKIP() << "no " << models_dir << "/manifest.json: run tools/models first";
  }
  if (!std::filesystem::exists(image_path)) GTEST_SKIP() << "no " << image_path << " (darknet)";
  const cv::Mat image = cv::imread(image_path);
  ASSERT_EQ(image.cols, 768);
  DetectorConfig config;
  config.classes = {};  // every COCO class
  for (Backend backend : {Backend::kOpenCv, Backend::kTorch}) {
    if (backend == Backend::kTorch && !torch_available()) continue;
    InferenceConfig inference;
    inference.models_dir = models_dir;
    inference.backend = backend;
    auto detector = make_detector(config, inference);
    ASSERT_TRUE(detector.ok()) << detector.error().message;
    auto dets = (*detector)->detect(image);
    ASSERT_TRUE(dets.ok()) << dets.error().message;
    auto find = [&](std::initializer_list<int> classes) -> const Detection* {
      for (const Detection& d : *dets) {
        if (std::find(classes.begin(), classes.end(), d.class_id) != classes.end()) return &d;
      }
      return nullptr;
    };
    const Detection* dog = find({16});
    const Detection* bicycle = find({1});
    const Detection* truck = find({7, 2});
    const char* name = (*detector)->backend();
    ASSERT_TRUE(dog && bicycle && truck) << name << ": found " << dets->size() << " objects";
    EXPECT_LT(dog->box.center_x(), 384) << name;
    EXPECT_GT(dog->box.center_y(), 288) << name;
    EXPECT_NEAR(bicycle->box.center_x(), 384, 120) << name;
    EXPECT_NEAR(bicycle->box.center_y(), 288, 100) << name;
    EXPECT_GT(truck->box.center_x(), 470) << name;
    EXPECT_LT(truck->box.center_y(), 200) << name;
  }
}

}  // namespace
}  // namespace fai
