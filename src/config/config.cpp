#include "config/config.h"

#include <exception>
#include <optional>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "config/section_readers.h"

namespace fai {
namespace {

using namespace config_detail;

std::optional<Backend> parse_backend(const std::string& name) {
  if (name == "auto") return Backend::kAuto;
  if (name == "opencv") return Backend::kOpenCv;
  if (name == "torch") return Backend::kTorch;
  return std::nullopt;
}

void read_inference(MapReader&& r, InferenceConfig& c) {
  std::string backend = to_string(c.backend);
  r.field("models_dir", c.models_dir).field("threads", c.threads).field("backend", backend);
  if (auto b = parse_backend(backend)) {
    c.backend = *b;
  } else {
    r.problems().push_back("inference.backend: '" + backend +
                           "' is not one of auto, opencv, torch");
  }
  r.finish();
}

void read_detector(MapReader&& r, DetectorConfig& c) {
  r.field("type", c.type)
      .field("model", c.model)
      .field("score_threshold", c.score_threshold)
      .field("nms_iou", c.nms_iou)
      .field("cross_class_iou", c.cross_class_iou)
      .field("classes", c.classes)
      .field("max_detections", c.max_detections)
      .finish();
}

void read_server(MapReader&& r, ServerConfig& c) {
  r.field("host", c.host)
      .field("port", c.port)
      .field("http_threads", c.http_threads)
      .field("max_body_bytes", c.max_body_bytes)
      .field("request_timeout_ms", c.request_timeout_ms)
      .field("static_dir", c.static_dir)
      .finish();
}

void read_store(MapReader&& r, StoreSettings& c) {
  r.field("url", c.url)
      .field("spool_dir", c.spool_dir)
      .field("queue_capacity", c.queue_capacity)
      .finish();
}

void read_pipeline(MapReader&& r, PipelineConfig& c) {
  r.field("workers", c.workers).field("queue_per_camera", c.queue_per_camera).finish();
}

void read_images(MapReader&& r, ImageConfig& c) {
  r.field("max_width", c.max_width).field("max_height", c.max_height).finish();
}

void read_tracker(MapReader&& r, TrackerSettings& c) {
  r.field("high_score", c.high_score)
      .field("low_score", c.low_score)
      .field("new_track_score", c.new_track_score)
      .field("lost_track_buffer_frames", c.lost_track_buffer_frames)
      .field("frame_rate_fps", c.frame_rate_fps)
      .finish();
}

void read_occupancy(MapReader&& r, OccupancySettings& c) {
  r.field("min_frames_on_new_side", c.min_frames_on_new_side)
      .field("counted_classes", c.counted_classes)
      .field("snapshot_interval_s", c.snapshot_interval_s)
      .finish();
}

void read_point(MapReader& r, const char* key, float& x, float& y) {
  std::vector<float> xy;
  r.field(key, xy);
  if (xy.size() == 2) {
    x = xy[0];
    y = xy[1];
  } else {
    r.problems().push_back(r.where() + "." + key + ": must be [x, y]");
  }
}

LineConfig read_line(MapReader&& r) {
  LineConfig line;
  r.field("id", line.id);
  read_point(r, "start", line.x1, line.y1);
  read_point(r, "end", line.x2, line.y2);
  r.field("in_side", line.in_side).field("infinite", line.infinite).finish();
  return line;
}

CameraConfig read_camera(MapReader&& r) {
  CameraConfig camera;
  r.field("id", camera.id).field("source", camera.source);
  const YAML::Node lines = r.child("lines");
  for (size_t j = 0; lines && lines.IsSequence() && j < lines.size(); ++j) {
    const std::string where = r.where() + ".lines[" + std::to_string(j) + "]";
    camera.lines.push_back(read_line(MapReader(lines[j], where, r.problems())));
  }
  r.finish();
  return camera;
}

void read_cameras(MapReader&& r, Config& c) {
  r.field("locked", c.cameras_locked).field("default_id", c.default_camera);
  const YAML::Node list = r.child("list");
  r.finish();
  if (!list) return;
  if (!list.IsSequence()) {
    r.problems().push_back("cameras.list: must be a list");
    return;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = "cameras.list[" + std::to_string(i) + "]";
    c.cameras.push_back(read_camera(MapReader(list[i], where, r.problems())));
  }
}

void read_root(const YAML::Node& root, Config& c, std::vector<std::string>& problems) {
  MapReader r(root, "", problems, "unknown section");
  auto section = [&](const char* name) { return MapReader(r.child(name), name, problems); };
  if (root["inference"]) read_inference(section("inference"), c.inference);
  if (root["detector"]) read_detector(section("detector"), c.detector);
  if (root["server"]) read_server(section("server"), c.server);
  if (root["store"]) read_store(section("store"), c.store);
  if (root["pipeline"]) read_pipeline(section("pipeline"), c.pipeline);
  if (root["images"]) read_images(section("images"), c.images);
  if (root["tracker"]) read_tracker(section("tracker"), c.tracker);
  if (root["occupancy"]) read_occupancy(section("occupancy"), c.occupancy);
  if (root["cameras"]) read_cameras(section("cameras"), c);
  if (root["recognition"]) read_recognition(section("recognition"), c.recognition);
  if (root["aws"]) read_aws(section("aws"), c.aws);
  if (root["attendance"]) read_attendance(section("attendance"), c.attendance);
  if (root["anpr"]) read_anpr(section("anpr"), c.anpr);
  r.finish();
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
  validate_identity(c.recognition, c.aws, c.attendance, problems);
  validate_anpr(c.anpr, problems);
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
  if (!root.IsMap() && !root.IsNull()) {
    return make_error(ErrorCode::kInvalidArgument, path + ": the top level must be a mapping");
  }
  read_root(root, config, problems);
  for (auto& p : validate(config)) problems.push_back(std::move(p));
  if (problems.empty()) return config;
  std::ostringstream msg;
  msg << path << ": " << problems.size() << " problem(s):";
  for (const auto& p : problems) msg << "\n  - " << p;
  return make_error(ErrorCode::kInvalidArgument, msg.str());
}

}  // namespace fai
