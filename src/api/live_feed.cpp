#include "api/live_feed.h"

#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace fai::api {
namespace {

using nlohmann::json;

double round2(double v) {
  return std::round(v * 100) / 100;
}

json frame_event(const FrameOutcome& o) {
  return {{"camera_id", o.camera_id},
          {"frame_id", o.frame_id},
          {"timestamp", iso8601_utc(o.timestamp)},
          {"occupancy", o.counts.occupancy},
          {"entries", o.counts.entries},
          {"exits", o.counts.exits},
          {"people_count", o.people_count},
          {"vehicle_count", o.vehicle_count},
          {"processing_ms", round2(o.times.total_ms)}};
}

}  // namespace

bool LiveFeed::frame_due(CameraState& state, const FrameOutcome& o) const {
  const auto now = std::chrono::steady_clock::now();
  const bool changed = o.counts.occupancy != state.last_counts.occupancy ||
                       o.counts.entries != state.last_counts.entries ||
                       o.counts.exits != state.last_counts.exits;
  if (!changed && now - state.last_frame_event < frame_interval_) return false;
  state.last_frame_event = now;
  state.last_counts = o.counts;
  return true;
}

void LiveFeed::publish_vehicles(CameraState& state, const FrameOutcome& o) {
  std::set<int64_t> present;
  for (const Track& t : o.tracks) present.insert(t.id);
  std::erase_if(state.vehicle_seen, [&](const auto& kv) { return !present.count(kv.first); });
  for (const VehicleReading& v : o.vehicles_detected) {
    std::string key = v.plate + "|" + v.status;
    auto [it, inserted] = state.vehicle_seen.try_emplace(v.track_id, key);
    if (!inserted && it->second == key) continue;
    it->second = std::move(key);
    hub_.publish({"vehicle", json{{"camera_id", o.camera_id},
                                  {"track_id", v.track_id},
                                  {"type", v.type},
                                  {"plate", v.plate},
                                  {"confidence", round2(v.confidence)},
                                  {"status", v.status},
                                  {"timestamp", iso8601_utc(o.timestamp)}}
                                 .dump()});
  }
}

void LiveFeed::on_outcome(const FrameOutcome& o) {
  std::lock_guard lock(mutex_);
  CameraState& state = cameras_[o.camera_id];
  const std::string time = iso8601_utc(o.timestamp);
  for (const TrackCrossing& c : o.crossings) {
    hub_.publish({"crossing",
                  json{{"camera_id", o.camera_id},
                       {"line_id", c.crossing.line_id},
                       {"track_id", c.track_id},
                       {"direction", c.crossing.direction == CrossingDirection::kIn ? "in" : "out"},
                       {"class", coco::class_name(c.crossing.class_id)},
                       {"timestamp", time}}
                      .dump()});
  }
  if (frame_due(state, o)) hub_.publish({"frame", frame_event(o).dump()});
  for (const FaceRecognition& f : o.faces_recognized) {
    if (!f.decided_now) continue;
    hub_.publish({"face", json{{"camera_id", o.camera_id},
                               {"track_id", f.track_id},
                               {"employee_id", f.employee_id},
                               {"name", f.name},
                               {"confidence", round2(f.confidence)},
                               {"source", f.source},
                               {"timestamp", time}}
                              .dump()});
  }
  publish_vehicles(state, o);
  for (const Alert& a : o.alerts) {
    hub_.publish({"alert", json{{"camera_id", o.camera_id},
                                {"kind", a.kind},
                                {"track_id", a.track_id},
                                {"subject", a.subject},
                                {"message", a.message},
                                {"timestamp", time}}
                               .dump()});
  }
}

}  // namespace fai::api
