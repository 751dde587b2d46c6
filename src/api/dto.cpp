#include "api/dto.h"

#include <algorithm>
#include <cmath>

#include "core/clock.h"

namespace fai::api {
namespace {

double round2(double v) {
  return std::round(v * 100) / 100;
}
double round1(double v) {
  return std::round(v * 10) / 10;
}

const char* direction_name(CrossingDirection d) {
  return d == CrossingDirection::kIn ? "in" : "out";
}

nlohmann::json box_json(const Box& b) {
  return {round1(b.x1), round1(b.y1), round1(b.x2), round1(b.y2)};
}

nlohmann::json tracks_json(const FrameOutcome& o) {
  nlohmann::json tracks = nlohmann::json::array();
  for (const Track& t : o.tracks) {
    tracks.push_back({{"track_id", t.id},
                      {"class", coco::class_name(t.class_id)},
                      {"class_id", t.class_id},
                      {"box", box_json(t.box)},
                      {"score", round2(t.score)},
                      {"visible", t.det_index >= 0}});
  }
  return tracks;
}

// Every visible vehicle track; its plate and list status when the plate analyzer has read one.
nlohmann::json vehicles_json(const FrameOutcome& o) {
  nlohmann::json vehicles = nlohmann::json::array();
  for (const Track& t : o.tracks) {
    if (!coco::is_vehicle(t.class_id) || t.det_index < 0) continue;
    const auto read = std::find_if(o.vehicles_detected.begin(), o.vehicles_detected.end(),
                                   [&](const VehicleReading& v) { return v.track_id == t.id; });
    const bool has_plate = read != o.vehicles_detected.end() && !read->plate.empty();
    vehicles.push_back(
        {{"track_id", t.id},
         {"type", coco::class_name(t.class_id)},
         {"plate", has_plate ? nlohmann::json(read->plate) : nlohmann::json(nullptr)},
         {"confidence",
          has_plate ? round2(read->confidence) : round2(o.detections[t.det_index].score)},
         {"status", has_plate ? read->status : "unread"}});
  }
  return vehicles;
}

nlohmann::json faces_json(const FrameOutcome& o) {
  nlohmann::json faces = nlohmann::json::array();
  for (const FaceRecognition& f : o.faces_recognized) {
    faces.push_back({{"track_id", f.track_id},
                     {"employee_id", f.employee_id},
                     {"name", f.name},
                     {"confidence", round2(f.confidence)},
                     {"source", f.source}});
  }
  return faces;
}

nlohmann::json alerts_json(const FrameOutcome& o) {
  nlohmann::json alerts = nlohmann::json::array();
  for (const Alert& a : o.alerts) {
    alerts.push_back({{"kind", a.kind},
                      {"track_id", a.track_id},
                      {"subject", a.subject},
                      {"message", a.message}});
  }
  return alerts;
}

nlohmann::json crossings_json(const FrameOutcome& o) {
  nlohmann::json out = nlohmann::json::array();
  for (const TrackCrossing& c : o.crossings) {
    out.push_back({{"track_id", c.track_id},
                   {"line_id", c.crossing.line_id},
                   {"direction", direction_name(c.crossing.direction)},
                   {"class", coco::class_name(c.crossing.class_id)}});
  }
  return out;
}

}  // namespace

nlohmann::json process_response(const FrameOutcome& o) {
  const StageTimes& t = o.times;
  nlohmann::json body = {{"success", true},
                         {"frame_id", o.frame_id},
                         {"timestamp", iso8601_utc(o.timestamp)},
                         {"occupancy", o.counts.occupancy},
                         {"entries", o.counts.entries},
                         {"exits", o.counts.exits},
                         {"entries_this_frame", o.entries_this_frame},
                         {"exits_this_frame", o.exits_this_frame},
                         {"faces_recognized", faces_json(o)},
                         {"vehicles_detected", vehicles_json(o)},
                         {"people_count", o.people_count},
                         {"vehicle_count", o.vehicle_count},
                         {"processing_time_ms", round2(t.total_ms)},
                         {"camera_id", o.camera_id},
                         {"tracks", tracks_json(o)},
                         {"crossings", crossings_json(o)},
                         {"alerts", alerts_json(o)},
                         {"aws_calls", o.aws_calls},
                         {"cache_hits", o.cache_hits},
                         {"stage_ms",
                          {{"queue", round2(t.queue_ms)},
                           {"preprocess", round2(t.preprocess_ms)},
                           {"forward", round2(t.forward_ms)},
                           {"postprocess", round2(t.postprocess_ms)},
                           {"track", round2(t.track_ms)},
                           {"analytics", round2(t.analytics_ms)}}}};
  for (const auto& [name, ms] : o.analyzer_ms) body["stage_ms"][name] = round2(ms);
  return body;
}

nlohmann::json camera_json(const CameraStatus& c) {
  return {{"camera_id", c.camera_id},
          {"occupancy", c.counts.occupancy},
          {"entries", c.counts.entries},
          {"exits", c.counts.exits},
          {"frames", c.frames},
          {"queued", c.queued},
          {"last_frame_id", c.last_frame_id},
          {"last_frame_time", c.frames > 0 ? nlohmann::json(iso8601_utc(c.last_frame_time))
                                           : nlohmann::json(nullptr)}};
}

nlohmann::json snapshot_json(const OccupancySnapshot& r) {
  return {{"camera_id", r.camera_id},
          {"current_occupancy", r.current_occupancy},
          {"entries_count", r.entries_count},
          {"exits_count", r.exits_count},
          {"timestamp", iso8601_utc(r.timestamp)}};
}

nlohmann::json crossing_json(const CrossingRow& r) {
  return {{"camera_id", r.camera_id},
          {"line_id", r.line_id},
          {"track_id", r.track_id},
          {"class_id", r.class_id},
          {"class", coco::class_name(r.class_id)},
          {"direction", direction_name(r.direction)},
          {"time", iso8601_utc(r.time)}};
}

nlohmann::json metric_json(const MetricRow& r) {
  return {{"camera_id", r.camera_id},
          {"frame_id", r.frame_id},
          {"processing_ms", round2(r.processing_ms)},
          {"aws_calls", r.aws_calls},
          {"aws_cost_est", r.aws_cost_est},
          {"cache_hits", r.cache_hits},
          {"timestamp", iso8601_utc(r.timestamp)}};
}

nlohmann::json latency_json(const LatencySummary& s) {
  return {{"count", s.count},
          {"median_ms", round2(s.median_ms)},
          {"p95_ms", round2(s.p95_ms)},
          {"max_ms", round2(s.max_ms)}};
}

}  // namespace fai::api
