#pragma once
// Plain configuration structs with defaults. src/config is the only code that knows YAML;
// every other module receives these structs. config/example.yaml documents every key.

#include <cstdint>
#include <string>
#include <vector>

#include "config/anpr_config.h"
#include "config/identity_config.h"
#include "core/expected.h"

namespace fai {

enum class Backend { kAuto, kOpenCv, kTorch };

struct InferenceConfig {
  std::string models_dir = "models";  // holds manifest.json and the converted models
  Backend backend = Backend::kAuto;   // auto: the faster backend per model (factoryai bench)
  int threads = 2;                    // intra-op threads per session
};

struct DetectorConfig {
  std::string type =
      "nanodet";      // nanodet (embedded default) | yolo (user-supplied Ultralytics ONNX)
  std::string model;  // yolo: path to the .onnx; nanodet: manifest name (default "nanodet")
  float score_threshold = 0.35f;
  float nms_iou = 0.45f;                       // per-class suppression
  float cross_class_iou = 0.80f;               // suppresses car+truck duplicates on one object
  std::vector<int> classes = {0, 2, 3, 5, 7};  // COCO ids kept: person car motorcycle bus truck
  int max_detections = 300;
};

struct ServerConfig {
  std::string host = "0.0.0.0";
  int port = 8000;
  int http_threads = 8;                         // concurrent HTTP connections served
  int64_t max_body_bytes = 16 * 1024 * 1024;    // larger request bodies get 413
  int request_timeout_ms = 15000;               // a frame not processed by then gets 503
  std::string static_dir = "web/dist/browser";  // the dashboard; served at / when it exists
};

struct StoreSettings {
  // sqlite:PATH | postgresql://user@host:port/db | a libpq conninfo string
  std::string url = "sqlite:factoryai.db";
  std::string spool_dir = "";  // durable ledger spool; empty = next to the SQLite file or ./spool
  int queue_capacity = 10000;  // rows waiting for the database before writes are refused
};

struct PipelineConfig {
  int workers = 1;           // detector sessions working in parallel (one camera at a time each)
  int queue_per_camera = 8;  // frames waiting per camera before the API answers 503
};

struct ImageConfig {
  int max_width = 4096;
  int max_height = 4096;
};

struct TrackerSettings {
  float high_score = 0.5f;       // detections at or above this are associated first
  float low_score = 0.1f;        // detections down to this keep tracks alive (ByteTrack)
  float new_track_score = 0.6f;  // an unmatched detection starts a track at or above this
  int lost_track_buffer_frames = 30;
  float frame_rate_fps = 30.0f;
};

struct LineConfig {
  std::string id;
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // source pixels
  std::string in_side = "right";         // left | right, seen walking from (x1,y1) to (x2,y2)
  bool infinite = false;                 // false: only crossings between the end points count
};

struct CameraConfig {
  std::string id;
  std::string source;             // empty: frames arrive through the API; else rtsp://, file...
  std::vector<LineConfig> lines;  // empty: the seed's default line, y = 400, down = entry
};

struct OccupancySettings {
  int min_frames_on_new_side = 3;
  std::vector<int> counted_classes = {0};
  int snapshot_interval_s = 60;  // occupancy_logs rows: on every change and at least this often
};

struct Config {
  InferenceConfig inference;
  DetectorConfig detector;
  ServerConfig server;
  StoreSettings store;
  PipelineConfig pipeline;
  ImageConfig images;
  TrackerSettings tracker;
  OccupancySettings occupancy;
  RecognitionConfig recognition;
  AwsConfig aws;
  AttendanceConfig attendance;
  AnprConfig anpr;
  std::vector<CameraConfig> cameras;
  bool cameras_locked = false;             // true: frames for cameras not listed are refused
  std::string default_camera = "default";  // camera of frames that name none
};

// Loads and validates a YAML file; every problem is reported at once in the error message.
Expected<Config> load_config(const std::string& path);
// Checks ranges and cross-field rules; returns one message per problem (empty = valid).
std::vector<std::string> validate(const Config& config);

const char* to_string(Backend backend);

}  // namespace fai
