#include "config/config.h"

#include <exception>
#include <map>
#include <optional>
#include <set>
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

// A misspelt key would silently keep its default: every key must be one we know.
void check_keys(const YAML::Node& node, const std::set<std::string>& known,
                const std::string& where, std::vector<std::string>& problems) {
  if (!node.IsMap()) {
    problems.push_back(where + ": must be a mapping");
    return;
  }
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>();
    if (!known.count(key)) problems.push_back(where + "." + key + ": unknown key");
  }
}

const std::map<std::string, std::set<std::string>>& known_keys() {
  static const std::map<std::string, std::set<std::string>> kKeys = {
      {"inference", {"models_dir", "backend", "threads"}},
      {"detector",
       {"type", "model", "score_threshold", "nms_iou", "cross_class_iou", "classes",
        "max_detections"}},
      {"server",
       {"host", "port", "http_threads", "max_body_bytes", "request_timeout_ms", "static_dir"}},
      {"store", {"url", "spool_dir", "queue_capacity"}},
      {"pipeline", {"workers", "queue_per_camera"}},
      {"images", {"max_width", "max_height"}},
      {"tracker",
       {"high_score", "low_score", "new_track_score", "lost_track_buffer_frames",
        "frame_rate_fps"}},
      {"occupancy", {"min_frames_on_new_side", "counted_classes", "snapshot_interval_s"}},
      {"cameras", {"locked", "default_id", "list"}},
  };
  return kKeys;
}

void check_sections(const YAML::Node& root, std::vector<std::string>& problems) {
  if (!root.IsMap()) {
    if (!root.IsNull()) problems.push_back("config: the top level must be a mapping");
    return;
  }
  for (const auto& kv : root) {
    const auto section = kv.first.as<std::string>();
    auto it = known_keys().find(section);
    if (it == known_keys().end()) {
      problems.push_back(section + ": unknown section");
    } else {
      check_keys(kv.second, it->second, section, problems);
    }
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

void read_server(const YAML::Node& n, ServerConfig& c, std::vector<std::string>& problems) {
  read(n, "host", c.host, problems, "server");
  read(n, "port", c.port, problems, "server");
  read(n, "http_threads", c.http_threads, problems, "server");
  read(n, "max_body_bytes", c.max_body_bytes, problems, "server");
  read(n, "request_timeout_ms", c.request_timeout_ms, problems, "server");
  read(n, "static_dir", c.static_dir, problems, "server");
}

void read_store(const YAML::Node& n, StoreSettings& c, std::vector<std::string>& problems) {
  read(n, "url", c.url, problems, "store");
  read(n, "spool_dir", c.spool_dir, problems, "store");
  read(n, "queue_capacity", c.queue_capacity, problems, "store");
}

void read_pipeline(const YAML::Node& n, PipelineConfig& c, std::vector<std::string>& problems) {
  read(n, "workers", c.workers, problems, "pipeline");
  read(n, "queue_per_camera", c.queue_per_camera, problems, "pipeline");
}

void read_images(const YAML::Node& n, ImageConfig& c, std::vector<std::string>& problems) {
  read(n, "max_width", c.max_width, problems, "images");
  read(n, "max_height", c.max_height, problems, "images");
}

void read_tracker(const YAML::Node& n, TrackerSettings& c, std::vector<std::string>& problems) {
  read(n, "high_score", c.high_score, problems, "tracker");
  read(n, "low_score", c.low_score, problems, "tracker");
  read(n, "new_track_score", c.new_track_score, problems, "tracker");
  read(n, "lost_track_buffer_frames", c.lost_track_buffer_frames, problems, "tracker");
  read(n, "frame_rate_fps", c.frame_rate_fps, problems, "tracker");
}

void read_occupancy(const YAML::Node& n, OccupancySettings& c, std::vector<std::string>& problems) {
  read(n, "min_frames_on_new_side", c.min_frames_on_new_side, problems, "occupancy");
  read(n, "counted_classes", c.counted_classes, problems, "occupancy");
  read(n, "snapshot_interval_s", c.snapshot_interval_s, problems, "occupancy");
}

void read_point(const YAML::Node& n, const char* key, float& x, float& y,
                std::vector<std::string>& problems, const std::string& where) {
  std::vector<float> xy;
  read(n, key, xy, problems, where);
  if (xy.size() == 2) {
    x = xy[0];
    y = xy[1];
  } else {
    problems.push_back(where + "." + key + ": must be [x, y]");
  }
}

LineConfig read_line(const YAML::Node& n, std::vector<std::string>& problems,
                     const std::string& where) {
  LineConfig line;
  read(n, "id", line.id, problems, where);
  read_point(n, "start", line.x1, line.y1, problems, where);
  read_point(n, "end", line.x2, line.y2, problems, where);
  read(n, "in_side", line.in_side, problems, where);
  read(n, "infinite", line.infinite, problems, where);
  return line;
}

void read_cameras(const YAML::Node& n, Config& c, std::vector<std::string>& problems) {
  read(n, "locked", c.cameras_locked, problems, "cameras");
  read(n, "default_id", c.default_camera, problems, "cameras");
  const YAML::Node list = n["list"];
  if (!list) return;
  if (!list.IsSequence()) {
    problems.push_back("cameras.list: must be a list");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = "cameras.list[" + std::to_string(i) + "]";
    CameraConfig camera;
    read(list[i], "id", camera.id, problems, where);
    read(list[i], "source", camera.source, problems, where);
    const YAML::Node lines = list[i]["lines"];
    for (size_t j = 0; lines && lines.IsSequence() && j < lines.size(); ++j) {
      camera.lines.push_back(
          read_line(lines[j], problems, where + ".lines[" + std::to_string(j) + "]"));
    }
    c.cameras.push_back(std::move(camera));
  }
}

bool in_unit_range(float v) {
  return v >= 0.0f && v <= 1.0f;
}

void validate_cameras(const Config& c, std::vector<std::string>& problems) {
  std::set<std::string> ids;
  for (const auto& camera : c.cameras) {
    if (camera.id.empty()) problems.push_back("cameras.list: a camera has no id");
    if (!ids.insert(camera.id).second) {
      problems.push_back("cameras.list: duplicate camera id '" + camera.id + "'");
    }
    std::set<std::string> line_ids;
    for (const auto& line : camera.lines) {
      const std::string where = "cameras." + camera.id + ".lines." + line.id;
      if (line.id.empty()) problems.push_back("cameras." + camera.id + ": a line has no id");
      if (!line_ids.insert(line.id).second) problems.push_back(where + ": duplicate line id");
      if (line.in_side != "left" && line.in_side != "right") {
        problems.push_back(where + ".in_side: must be left or right");
      }
      if (line.x1 == line.x2 && line.y1 == line.y2) {
        problems.push_back(where + ": start and end are the same point");
      }
    }
  }
  if (c.default_camera.empty()) problems.push_back("cameras.default_id: must not be empty");
}

void validate_service(const Config& c, std::vector<std::string>& problems) {
  if (c.server.port < 1 || c.server.port > 65535)
    problems.push_back("server.port: not in 1..65535");
  if (c.server.http_threads < 1) problems.push_back("server.http_threads: must be at least 1");
  if (c.server.max_body_bytes < 1024) problems.push_back("server.max_body_bytes: at least 1024");
  if (c.server.request_timeout_ms < 100) {
    problems.push_back("server.request_timeout_ms: at least 100");
  }
  if (c.store.url.empty()) problems.push_back("store.url: must not be empty");
  if (c.store.queue_capacity < 1) problems.push_back("store.queue_capacity: at least 1");
  if (c.pipeline.workers < 1 || c.pipeline.workers > 64) {
    problems.push_back("pipeline.workers: must be between 1 and 64");
  }
  if (c.pipeline.queue_per_camera < 1) problems.push_back("pipeline.queue_per_camera: at least 1");
  if (c.images.max_width < 16 || c.images.max_height < 16) {
    problems.push_back("images.max_width/max_height: at least 16");
  }
  const TrackerSettings& t = c.tracker;
  if (!in_unit_range(t.low_score) || !in_unit_range(t.high_score) ||
      !in_unit_range(t.new_track_score) || t.low_score > t.high_score) {
    problems.push_back("tracker: scores must be in 0..1 with low_score <= high_score");
  }
  if (t.lost_track_buffer_frames < 1) problems.push_back("tracker.lost_track_buffer_frames: >= 1");
  if (t.frame_rate_fps <= 0) problems.push_back("tracker.frame_rate_fps: must be positive");
  if (c.occupancy.min_frames_on_new_side < 1) {
    problems.push_back("occupancy.min_frames_on_new_side: at least 1");
  }
  if (c.occupancy.snapshot_interval_s < 1) {
    problems.push_back("occupancy.snapshot_interval_s: at least 1");
  }
  validate_cameras(c, problems);
}

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
  if (!in_unit_range(d.score_threshold))
    problems.push_back("detector.score_threshold: not in 0..1");
  if (!in_unit_range(d.nms_iou)) problems.push_back("detector.nms_iou: not in 0..1");
  if (!in_unit_range(d.cross_class_iou))
    problems.push_back("detector.cross_class_iou: not in 0..1");
  for (int id : d.classes) {
    if (id < 0 || id >= 80)
      problems.push_back("detector.classes: " + std::to_string(id) + " is not a COCO-80 class id");
  }
  if (d.max_detections < 1) problems.push_back("detector.max_detections: must be at least 1");
  validate_service(c, problems);
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
  check_sections(root, problems);
  if (!problems.empty() && !root.IsMap())
    return make_error(ErrorCode::kInvalidArgument, path + ": " + problems[0]);
  if (root["inference"]) read_inference(root["inference"], config.inference, problems);
  if (root["detector"]) read_detector(root["detector"], config.detector, problems);
  if (root["server"]) read_server(root["server"], config.server, problems);
  if (root["store"]) read_store(root["store"], config.store, problems);
  if (root["pipeline"]) read_pipeline(root["pipeline"], config.pipeline, problems);
  if (root["images"]) read_images(root["images"], config.images, problems);
  if (root["tracker"]) read_tracker(root["tracker"], config.tracker, problems);
  if (root["occupancy"]) read_occupancy(root["occupancy"], config.occupancy, problems);
  if (root["cameras"]) read_cameras(root["cameras"], config, problems);
  for (auto& p : validate(config)) problems.push_back(std::move(p));
  if (problems.empty()) return config;
  std::ostringstream msg;
  msg << path << ": " << problems.size() << " problem(s):";
  for (const auto& p : problems) msg << "\n  - " << p;
  return make_error(ErrorCode::kInvalidArgument, msg.str());
}

}  // namespace fai
