#pragma once
// What processing one frame produced: the counts, tracks and crossings the API returns and the
// per-stage times /api/diagnostic aggregates.

#include <cstdint>
#include <string>
#include <vector>

#include "analytics/occupancy/occupancy_counter.h"
#include "core/clock.h"
#include "core/types.h"
#include "detect/detector.h"

namespace fai {

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
  StageTimes times;
};

}  // namespace fai
