#pragma once
// Turns the pipeline's outcomes into the live events of GET /api/stream (the contract in
// README.md): a frame event per camera at most every `frame_interval` unless its counts changed,
// every crossing and alert, a face when a track's identity is decided, a vehicle when a track's
// plate or list status changes.

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "api/event_hub.h"
#include "pipeline/frame_outcome.h"

namespace fai::api {

class LiveFeed {
 public:
  explicit LiveFeed(EventHub& hub,
                    std::chrono::milliseconds frame_interval = std::chrono::milliseconds(200))
      : hub_(hub), frame_interval_(frame_interval) {}

  // A Pipeline listener: quick, thread-safe.
  void on_outcome(const FrameOutcome& outcome);

 private:
  struct CameraState {
    std::chrono::steady_clock::time_point last_frame_event{};
    OccupancyCounts last_counts{-1, -1, -1};
    std::map<int64_t, std::string> vehicle_seen;  // track id -> "plate|status" last sent
  };
  bool frame_due(CameraState& state, const FrameOutcome& outcome) const;
  void publish_vehicles(CameraState& state, const FrameOutcome& outcome);

  EventHub& hub_;
  const std::chrono::milliseconds frame_interval_;
  std::mutex mutex_;
  std::map<std::string, CameraState> cameras_;
};

}  // namespace fai::api
