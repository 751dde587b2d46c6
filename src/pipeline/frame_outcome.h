#pragma once
// What processing one frame produced: the counts, tracks and crossings the API returns and the
// per-stage times /api/diagnostic aggregates.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analytics/occupancy/occupancy_counter.h"
#include "core/clock.h"
#include "core/types.h"
#include "detect/detector.h"

namespace fai {

// A person track recognised as an enrolled employee (the seed's faces_recognized entry).
struct FaceRecognition {
  int64_t track_id = 0;
  std::string employee_id;
  std::string name;
  float confidence = 0;      // 0..1
  std::string source;        // local | aws | cache
  bool decided_now = false;  // true on the one frame the track's identity was decided
};

// A vehicle track and its plate (the seed's vehicles_detected entry).
struct VehicleReading {
  int64_t track_id = 0;
  std::string type;  // car | truck | bus | motorcycle
  std::string plate;
  float confidence = 0;  // OCR confidence 0..1
  std::string status;    // whitelisted | blacklisted | unknown | unread
};

// Something a person should look at now: a blacklisted plate, an unknown vehicle...
struct Alert {
  std::string kind;  // e.g. blacklisted_plate, unknown_plate
  int64_t track_id = 0;
  std::string message;
  std::string subject;  // the plate or employee id it concerns
};

struct StageTimes {
  double queue_ms = 0;        // waiting for a worker
  double preprocess_ms = 0;   // letterbox + normalisation
  double forward_ms = 0;      // the inference backend
  double postprocess_ms = 0;  // decoding + suppression
  double track_ms = 0;
  double analytics_ms = 0;  // occupancy (and later identity, plates)
  double total_ms = 0;      // from submit to result
};

struct FrameOutcome {
  int64_t frame_id = 0;  // unique across cameras and restarts
  std::string camera_id;
  SystemTime timestamp;  // the frame's time (client-supplied or arrival)
  int width = 0, height = 0;
  std::vector<Detection> detections;
  std::vector<Track> tracks;  // confirmed tracks seen this frame or coasting
  OccupancyCounts counts;     // the camera's counters after this frame
  std::vector<TrackCrossing> crossings;
  int entries_this_frame = 0;
  int exits_this_frame = 0;
  int people_count = 0;   // people tracked in this frame
  int vehicle_count = 0;  // cars, motorcycles, buses, trucks tracked in this frame
  std::vector<FaceRecognition> faces_recognized;
  std::vector<VehicleReading> vehicles_detected;
  std::vector<Alert> alerts;
  int aws_calls = 0;    // cloud recognition calls this frame
  double aws_cost = 0;  // their estimated cost, USD
  int cache_hits = 0;   // recognitions answered from the per-track cache
  StageTimes times;
  std::map<std::string, double> analyzer_ms;  // per FrameAnalyzer::name()
};

}  // namespace fai
