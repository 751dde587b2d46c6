#pragma once
// Plain configuration structs with defaults. src/config is the only code that knows YAML;
// every other module receives these structs. config/example.yaml documents every key.

#include <string>
#include <vector>

#include "core/expected.h"

namespace fai {

enum class Backend { kAuto, kOpenCv, kTorch };

struct InferenceConfig {
  std::string models_dir = "models";  // holds manifest.json and the converted models
  Backend backend = Backend::kAuto;   // auto: the faster backend per model (factoryai bench)
  int threads = 2;                    // intra-op threads per session
};

struct DetectorConfig {
  std::string type = "nanodet";  // nanodet (embedded default) | yolo (user-supplied Ultralytics ONNX)
  std::string model;             // yolo: path to the .onnx; nanodet: manifest name (default "nanodet")
  float score_threshold = 0.35f;
  float nms_iou = 0.45f;          // per-class suppression
  float cross_class_iou = 0.80f;  // suppresses car+truck duplicates on one object
  std::vector<int> classes = {0, 2, 3, 5, 7};  // COCO ids kept: person car motorcycle bus truck
  int max_detections = 300;
};

struct Config {
  InferenceConfig inference;
  DetectorConfig detector;
};

// Loads and validates a YAML file; every problem is reported at once in the error message.
Expected<Config> load_config(const std::string& path);
// Checks ranges and cross-field rules; returns one message per problem (empty = valid).
std::vector<std::string> validate(const Config& config);

const char* to_string(Backend backend);

}  // namespace fai
