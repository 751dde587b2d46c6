#include "pipeline/analyzers/plate_analyzer.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "image/sharpness.h"
#include "pipeline/analytics_config.h"

namespace fai {
namespace {

constexpr float kCropMargin = 0.05f;       // of the box size: the plate may touch the box edge
constexpr float kSharpEnough = 100.0f;     // laplacian variance above which blur stops mattering
constexpr int64_t kOpenVisitsToPair = 50;  // newest open visits an exit at a gate is paired with
constexpr size_t kMaxPendingWrites = 10000;

long long epoch_ms(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string visit_key(const std::string& camera, int64_t track, const char* kind, SystemTime t) {
  return camera + "/" + std::to_string(track) + "/" + kind + "/" + std::to_string(epoch_ms(t));
}

cv::Rect crop_rect(const Box& box, const cv::Mat& image) {
  const float dx = box.width() * kCropMargin, dy = box.height() * kCropMargin;
  const cv::Rect r(cv::Point(static_cast<int>(box.x1 - dx), static_cast<int>(box.y1 - dy)),
                   cv::Point(static_cast<int>(box.x2 + dx), static_cast<int>(box.y2 + dy)));
  return r & cv::Rect(0, 0, image.cols, image.rows);
}

// The plate is in the lower part of a vehicle seen from front or back: sharpness is measured
// there.
float lower_half_sharpness(const cv::Mat& crop) {
  return laplacian_variance(crop(cv::Rect(0, crop.rows / 2, crop.cols, crop.rows - crop.rows / 2)));
}

// Larger and sharper is better.
float frame_quality(const cv::Mat& crop, float sharpness) {
  return static_cast<float>(crop.total()) * std::min(sharpness / kSharpEnough, 1.0f);
}

std::vector<PlateChar> chars_of(const PlateRead& read) {
  std::vector<PlateChar> out;
  for (size_t i = 0; i < read.text.size() && i < read.char_confidences.size(); ++i) {
    out.push_back({read.text[i], read.char_confidences[i]});
  }
  return out;
}

}  // namespace

struct PlateAnalyzer::TrackState {
  int class_id = -1;
  SystemTime first_seen, last_seen;
  int frames = 0;
  // Frame selection: the best crop of the current window.
  int window_frames = 0;
  float best_quality = 0;
  cv::Mat best_crop;
  int ocr_calls = 0;
  std::vector<std::pair<std::string, float>> reads;  // text, OCR confidence
  // The visit.
  bool settled = false;
  std::string plate, status = "unread", matched;
  float confidence = 0;
  std::optional<VehicleVisit> visit;  // written once opened
  std::optional<SystemTime> exit_crossed;
};

struct PlateAnalyzer::CameraState {
  std::mutex mutex;
  PlateVote vote;
  std::optional<OccupancyCounter> gate;  // set when the camera has a gate line
  std::map<int64_t, TrackState> tracks;
  explicit CameraState(PlateVoteParams params) : vote(params) {}
};

Expected<std::map<std::string, CountingLine>> resolve_gate_lines(const Config& config) {
  std::map<std::string, CountingLine> out;
  for (const std::string& gate : config.anpr.gate_lines) {
    const auto slash = gate.find('/');
    const std::string camera_id = gate.substr(0, slash), line_id = gate.substr(slash + 1);
    const CameraConfig* camera = nullptr;
    for (const CameraConfig& c : config.cameras) {
      if (c.id == camera_id) camera = &c;
    }
    OccupancyConfig lines = occupancy_config(config.occupancy, camera);
    if (lines.lines.empty()) lines.lines.push_back(default_counting_line());
    const auto it = std::find_if(lines.lines.begin(), lines.lines.end(),
                                 [&](const CountingLine& l) { return l.id == line_id; });
    if (it == lines.lines.end()) {
      return make_error(ErrorCode::kInvalidArgument, "anpr.gate_lines: camera '" + camera_id +
                                                         "' has no line '" + line_id + "'");
    }
    out[camera_id] = *it;
  }
  return out;
}

PlateAnalyzer::PlateAnalyzer(AnprConfig config, PlateReadFn read, VehicleStore* store,
                             std::map<std::string, CountingLine> gate_lines,
                             int min_frames_on_new_side)
    : config_(std::move(config)),
      read_(std::move(read)),
      store_(store),
      gate_lines_(std::move(gate_lines)),
      min_frames_on_new_side_(min_frames_on_new_side) {}

PlateAnalyzer::~PlateAnalyzer() = default;

PlateAnalyzerStats PlateAnalyzer::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

PlateAnalyzer::CameraState& PlateAnalyzer::camera(const std::string& id) {
  std::lock_guard lock(cameras_mutex_);
  auto& slot = cameras_[id];
  if (!slot) {
    PlateVoteParams vote;
    vote.max_attempts = config_.max_ocr_frames;
    vote.max_reads = config_.max_ocr_frames;
    vote.min_agreeing_reads = config_.min_agreeing_reads;
    slot = std::make_unique<CameraState>(vote);
    if (auto it = gate_lines_.find(id); it != gate_lines_.end()) {
      OccupancyConfig gate;
      gate.lines = {it->second};
      gate.min_frames_on_new_side = min_frames_on_new_side_;
      gate.counted_classes = {coco::kCar, coco::kMotorcycle, coco::kBus, coco::kTruck};
      auto counter = OccupancyCounter::create(gate);
      if (counter) slot->gate = std::move(*counter);
      if (!counter) spdlog::error("anpr gate line of {}: {}", id, counter.error().message);
    }
  }
  return *slot;
}

Status PlateAnalyzer::on_frame(const AnalyzerFrame& frame, FrameOutcome& out) {
  flush_pending_writes();
  CameraState& cam = camera(frame.camera_id);
  std::lock_guard lock(cam.mutex);
  Status result;
  for (const Track& track : out.tracks) {
    if (!coco::is_vehicle(track.class_id) || track.det_index < 0 ||
        track.det_index >= static_cast<int>(out.detections.size())) {
      continue;
    }
    observe(cam, frame, track, out.detections[static_cast<size_t>(track.det_index)].box, out);
    TrackState& ts = cam.tracks[track.id];
    if (ts.window_frames >= config_.ocr_window_frames && !ts.best_crop.empty()) {
      if (Status st = ocr_best_frame(cam, track.id, ts, out); !st) result = st;
    }
  }
  if (cam.gate) {
    const OccupancyFrame gate = cam.gate->on_frame(out.tracks, out.detections);
    for (const TrackCrossing& c : gate.crossings) {
      on_gate_crossing(cam, frame.camera_id, c.track_id, c.crossing.direction, frame.timestamp);
    }
  }
  for (int64_t ended : frame.ended_track_ids) {
    if (Status st = end_track(cam, frame.camera_id, ended, out, frame.timestamp); !st) result = st;
    if (cam.gate) cam.gate->on_track_end(ended);
  }
  return result;
}

void PlateAnalyzer::observe(CameraState& cam, const AnalyzerFrame& frame, const Track& track,
                            const Box& box, FrameOutcome& out) {
  TrackState& ts = cam.tracks[track.id];
  if (ts.frames == 0) ts.first_seen = frame.timestamp;
  ts.class_id = track.class_id;
  ts.last_seen = frame.timestamp;
  ++ts.frames;
  if (ts.ocr_calls < config_.max_ocr_frames && cam.vote.wants_read(track.id)) {
    consider_frame(ts, frame.image, box);
  }
  // Without a gate the visit opens once the track has lasted long enough to be no flicker.
  if (!cam.gate && !ts.visit && ts.frames >= config_.min_track_frames) {
    VehicleVisit v;
    v.visit_key = visit_key(frame.camera_id, track.id, "seen", ts.first_seen);
    v.camera_id = frame.camera_id;
    v.track_id = track.id;
    v.vehicle_type = coco::class_name(track.class_id);
    v.entry_time = ts.first_seen;
    v.status = "unread";
    ts.visit = v;
    if (ts.settled) {
      ts.visit->plate_number = ts.plate;
      ts.visit->status = ts.status;
      ts.visit->matched_plate = ts.matched;
      ts.visit->ocr_confidence = ts.confidence;
    }
    write_visit(*ts.visit);
  }
  out.vehicles_detected.push_back(
      {track.id, coco::class_name(track.class_id), ts.plate, ts.confidence, ts.status});
}

void PlateAnalyzer::consider_frame(TrackState& ts, const cv::Mat& image, const Box& box) {
  ++ts.window_frames;
  if (box.height() < static_cast<float>(config_.min_vehicle_height_px)) return;
  const cv::Rect rect = crop_rect(box, image);
  if (rect.width < 8 || rect.height < 8) return;
  const float sharpness = lower_half_sharpness(image(rect));
  if (sharpness < config_.min_sharpness) return;
  const float quality = frame_quality(image(rect), sharpness);
  if (quality > ts.best_quality) {
    ts.best_quality = quality;
    ts.best_crop = image(rect).clone();
  }
}

Status PlateAnalyzer::ocr_best_frame(CameraState& cam, int64_t track_id, TrackState& ts,
                                     FrameOutcome& out) {
  const cv::Mat crop = std::move(ts.best_crop);
  ts.best_crop = cv::Mat();
  ts.best_quality = 0;
  ts.window_frames = 0;
  if (!cam.vote.wants_read(track_id) || ts.ocr_calls >= config_.max_ocr_frames) return {};
  ++ts.ocr_calls;
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.ocr_calls_total;
  }
  auto read = read_(crop, {0, 0, static_cast<float>(crop.cols), static_cast<float>(crop.rows)});
  if (!read) {
    cam.vote.add(track_id, std::nullopt);
    return read.error();
  }
  std::optional<std::vector<PlateChar>> chars;
  if (*read && (*read)->confidence >= config_.min_confidence) {
    chars = chars_of(**read);
    ts.reads.emplace_back((*read)->text, (*read)->confidence);
  }
  const auto consensus = cam.vote.add(track_id, chars);
  if (consensus) settle(cam, track_id, ts, consensus, ts.last_seen, out);
  return {};
}

std::vector<ListedPlate> PlateAnalyzer::lists() {
  std::lock_guard lock(lists_mutex_);
  if (store_ == nullptr) return {};
  const auto now = std::chrono::steady_clock::now();
  const bool stale = !lists_valid_ || store_->generation() != lists_generation_ ||
                     now - lists_loaded_ > std::chrono::seconds(config_.list_refresh_s);
  if (stale) {
    const uint64_t generation = store_->generation();
    auto entries = store_->all_entries();
    if (entries) {
      lists_.clear();
      for (const VehicleEntry& e : *entries) {
        lists_.push_back({e.plate_number, e.list, e.valid_from, e.valid_until});
      }
      lists_generation_ = generation;
      lists_loaded_ = now;
      lists_valid_ = true;
    } else {
      spdlog::warn("anpr: cannot read the vehicle lists: {}", entries.error().message);
    }
  }
  return lists_;
}

void PlateAnalyzer::settle(CameraState& cam, int64_t track_id, TrackState& ts,
                           const std::optional<PlateConsensus>& consensus, SystemTime at,
                           FrameOutcome& out) {
  (void)cam;
  if (ts.settled || !consensus || consensus->text.empty()) return;
  ts.settled = true;
  ts.plate = consensus->text;
  // The OCR confidence of the reads that agree with the vote (the vote share is not one).
  float sum = 0;
  int n = 0;
  for (const auto& [text, confidence] : ts.reads) {
    if (text == ts.plate) sum += confidence, ++n;
  }
  ts.confidence = n > 0 ? sum / static_cast<float>(n) : consensus->confidence;
  const auto entries = lists();
  const auto match =
      match_plate(ts.plate, entries, at, static_cast<float>(config_.max_edit_distance));
  ts.matched = match ? entries[match->index].plate : "";
  ts.status = !match                                                ? "unknown"
              : entries[match->index].list == PlateList::kBlacklist ? "blacklisted"
                                                                    : "whitelisted";
  for (VehicleReading& v : out.vehicles_detected) {
    if (v.track_id == track_id)
      v.plate = ts.plate, v.confidence = ts.confidence, v.status = ts.status;
  }
  const bool alert =
      ts.status == "blacklisted" || (ts.status == "unknown" && config_.alert_unknown);
  if (alert) {
    const std::string kind = ts.status == "blacklisted" ? "blacklisted_plate" : "unknown_plate";
    out.alerts.push_back(
        {kind, track_id,
         (ts.status == "blacklisted" ? "blacklisted vehicle " : "unknown vehicle ") + ts.plate +
             (ts.matched.empty() || ts.matched == ts.plate ? ""
                                                           : " (listed as " + ts.matched + ")"),
         ts.plate});
  }
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.plates_read;
    stats_.alerts += alert ? 1 : 0;
  }
  if (ts.visit) {
    ts.visit->plate_number = ts.plate;
    ts.visit->status = ts.status;
    ts.visit->matched_plate = ts.matched;
    ts.visit->ocr_confidence = ts.confidence;
    write_visit(*ts.visit);
  }
}

void PlateAnalyzer::on_gate_crossing(CameraState& cam, const std::string& camera_id,
                                     int64_t track_id, CrossingDirection direction, SystemTime at) {
  TrackState& ts = cam.tracks[track_id];
  if (direction == CrossingDirection::kOut) {
    ts.exit_crossed = at;
    if (ts.settled) close_at_gate(cam, camera_id, track_id, ts);
    return;
  }
  if (ts.visit) return;  // in, out and in again within one track: one visit
  VehicleVisit v;
  v.visit_key = visit_key(camera_id, track_id, "in", at);
  v.camera_id = camera_id;
  v.track_id = track_id;
  v.vehicle_type = coco::class_name(ts.class_id);
  v.entry_time = at;
  v.status = ts.status;
  v.plate_number = ts.plate;
  v.matched_plate = ts.matched;
  v.ocr_confidence = ts.confidence;
  ts.visit = v;
  write_visit(v);
}

// Pairs an exit at the gate with the open visit of the same plate (its own when the track also
// entered); with no such visit the exit is logged on its own, entry unknown.
void PlateAnalyzer::close_at_gate(CameraState& cam, const std::string& camera_id, int64_t track_id,
                                  TrackState& ts) {
  (void)cam;
  const SystemTime at = *ts.exit_crossed;
  ts.exit_crossed.reset();
  if (ts.visit) {
    ts.visit->exit_time = at;
    write_visit(*ts.visit);
    return;
  }
  std::optional<VehicleVisit> entry;
  if (store_ != nullptr && !ts.plate.empty()) {
    auto open = store_->open_visits(camera_id, kOpenVisitsToPair);
    float best = static_cast<float>(config_.max_edit_distance) + 0.01f;
    for (const VehicleVisit& v : open ? *open : std::vector<VehicleVisit>()) {
      const float d = plate_distance(v.plate_number, ts.plate);
      if (d < best) best = d, entry = v;
    }
  }
  if (!entry) {
    entry = VehicleVisit{};
    entry->visit_key = visit_key(camera_id, track_id, "out", at);
    entry->camera_id = camera_id;
    entry->track_id = track_id;
    entry->vehicle_type = coco::class_name(ts.class_id);
    entry->plate_number = ts.plate;
    entry->status = ts.status;
    entry->matched_plate = ts.matched;
    entry->ocr_confidence = ts.confidence;
  }
  entry->exit_time = at;
  ts.visit = entry;
  write_visit(*entry);
}

Status PlateAnalyzer::end_track(CameraState& cam, const std::string& camera_id, int64_t track_id,
                                FrameOutcome& out, SystemTime at) {
  auto it = cam.tracks.find(track_id);
  if (it == cam.tracks.end()) return {};
  TrackState& ts = it->second;
  Status result;
  if (!ts.best_crop.empty()) result = ocr_best_frame(cam, track_id, ts, out);
  settle(cam, track_id, ts, cam.vote.end_track(track_id), at, out);
  if (cam.gate) {
    if (ts.exit_crossed) close_at_gate(cam, camera_id, track_id, ts);
  } else if (ts.visit) {
    ts.visit->exit_time = ts.last_seen;
    write_visit(*ts.visit);
  }
  if (ts.frames >= config_.min_track_frames) {
    std::lock_guard lock(stats_mutex_);
    ++stats_.tracks;
    stats_.ocr_calls += ts.ocr_calls;
  }
  cam.tracks.erase(it);
  return result;
}

void PlateAnalyzer::write_visit(const VehicleVisit& visit) {
  if (store_ == nullptr) return;
  {
    std::lock_guard lock(stats_mutex_);
    if (!pending_writes_.empty()) {  // keep the order: an older write of this visit waits
      if (pending_writes_.size() < kMaxPendingWrites) pending_writes_.push_back(visit);
      return;
    }
  }
  if (Status st = store_->record_visit(visit); !st) {
    spdlog::warn("anpr: visit {} not written yet: {}", visit.visit_key, st.error().message);
    std::lock_guard lock(stats_mutex_);
    ++stats_.write_failures;
    if (pending_writes_.size() < kMaxPendingWrites) pending_writes_.push_back(visit);
  }
}

void PlateAnalyzer::flush_pending_writes() {
  if (store_ == nullptr) return;
  std::lock_guard lock(stats_mutex_);
  while (!pending_writes_.empty()) {
    if (!store_->record_visit(pending_writes_.front())) return;
    pending_writes_.pop_front();
  }
}

}  // namespace fai
