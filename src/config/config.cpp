#include "config/config.h"

#include <exception>
#include <optional>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace fai {
namespace {

// Reads an optional scalar; a present value of the wrong type becomes a problem, not a throw.
template <class T>
void read(const YAML::Node& node, const char* key, T& out, std::vector<std::string>& problems,
          const std::string& where) {
  const YAML::Node value = node[key];
  if (!value) return;
  try {
    out = value.as<T>();
  } catch (const YAML::Exception&) {
    problems.push_back(where + "." + key + ": wrong type");
  }
}

std::optional<Backend> parse_backend(const std::string& name) {
  if (name == "auto") return Backend::kAuto;
  if (name == "opencv") return Backend::kOpenCv;
  if (name == "torch") return Backend::kTorch;
  return std::nullopt;
}

void read_inference(const YAML::Node& n, InferenceConfig& c, std::vector<std::string>& problems) {
  read(n, "models_dir", c.models_dir, problems, "inference");
  read(n, "threads", c.threads, problems, "inference");
  std::string backend = to_string(c.backend);
  read(n, "backend", backend, problems, "inference");
  if (auto b = parse_backend(backend)) {
    c.backend = *b;
  } else {
    problems.push_back("inference.backend: '" + backend + "' is not one of auto, opencv, torch");
  }
}

void read_detector(const YAML::Node& n, DetectorConfig& c, std::vector<std::string>& problems) {
  read(n, "type", c.type, problems, "detector");
  read(n, "model", c.model, problems, "detector");
  read(n, "score_threshold", c.score_threshold, problems, "detector");
  read(n, "nms_iou", c.nms_iou, problems, "detector");
  read(n, "cross_class_iou", c.cross_class_iou, problems, "detector");
  read(n, "classes", c.classes, problems, "detector");
  read(n, "max_detections", c.max_detections, problems, "detector");
}

bool in_unit_range(float v) { return v >= 0.0f && v <= 1.0f; }

}  // namespace

const char* to_string(Backend backend) {
  switch (backend) {
    case Backend::kAuto:
      return "auto";
    case Backend::kOpenCv:
      return "opencv";
    case Backend::kTorch:
      return "torch";
  }
  return "auto";
}

std::vector<std::string> validate(const Config& c) {
  std::vector<std::string> problems;
  if (c.inference.threads < 1 || c.inference.threads > 256) {
    problems.push_back("inference.threads: must be between 1 and 256");
  }
  const DetectorConfig& d = c.detector;
  if (d.type != "nanodet" && d.type != "yolo") {
    problems.push_back("detector.type: '" + d.type + "' is not one of nanodet, yolo");
  }
  if (d.type == "yolo" && d.model.empty()) {
    problems.push_back("detector.model: the yolo detector needs the path of an .onnx file");
  }
  if (!in_unit_range(d.score_threshold)) problems.push_back("detector.score_threshold: not in 0..1");
  if (!in_unit_range(d.nms_iou)) problems.push_back("detector.nms_iou: not in 0..1");
  if (!in_unit_range(d.cross_class_iou)) problems.push_back("detector.cross_class_iou: not in 0..1");
  for (int id : d.classes) {
    if (id < 0 || id >= 80) problems.push_back("detector.classes: " + std::to_string(id) +
                                               " is not a COCO-80 class id");
  }
  if (d.max_detections < 1) problems.push_back("detector.max_detections: must be at least 1");
  return problems;
}

Expected<Config> load_config(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return make_error(ErrorCode::kNotFound, "cannot read config file: " + path);
  } catch (const YAML::Exception& e) {
    return make_error(ErrorCode::kInvalidArgument, path + ": " + e.what());
  }
  Config config;
  std::vector<std::string> problems;
  if (root["inference"]) read_inference(root["inference"], config.inference, problems);
  if (root["detector"]) read_detector(root["detector"], config.detector, problems);
  for (auto& p : validate(config)) problems.push_back(std::move(p));
  if (problems.empty()) return config;
  std::ostringstream msg;
  msg << path << ": " << problems.size() << " problem(s):";
  for (const auto& p : problems) msg << "\n  - " << p;
  return make_error(ErrorCode::kInvalidArgument, msg.str());
}

}  // namespace fai
