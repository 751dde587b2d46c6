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
// An open visit's last sighting is rewritten this often while its track is in view: after a
// crash the visit closes at most this long before the vehicle really left. One upsert per
// vehicle in view every 10 s costs nothing next to the OCR calls.
constexpr auto kLastSeenEvery = std::chrono::seconds(10);
// Expired gate entries are looked for this often (of frame time) while running: one indexed
// query of the open visits a minute; an entry closes at most this long after it expired.
constexpr auto kExpirySweepEvery = std::chrono::minutes(1);

std::string visit_key(const std::string& camera, int64_t track, const char* kind, SystemTime t) {
  return camera + "/" + std::to_string(track) + "/" + kind + "/" + std::to_string(epoch_ms(t));
}

// The kind of visit_key(): "seen", "in" or "out" (read from the end: a camera id may hold '/');
// "" for a key of another form.
std::string visit_kind(const std::string& key) {
  const auto last = key.rfind('/');
  if (last == std::string::npos || last == 0) return "";
  const auto before = key.rfind('/', last - 1);
  return before == std::string::npos ? "" : key.substr(before + 1, last - before - 1);
}

// A gate entry (any visit but a first/last-seen one, whose track was in view) that entered
// before `entered_before` and is still open: its exit was missed.
bool expired_entry(const VehicleVisit& v, SystemTime entered_before) {
  return visit_kind(v.visit_key) != "seen" && !v.exit_time && v.closed_reason.empty() &&
         v.entry_time && *v.entry_time < entered_before;
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
  bool first_last_seen = false;       // the visit runs from first to last sighting (no gate)
  SystemTime last_seen_written{};
  std::optional<SystemTime> exit_crossed;
};

struct PlateAnalyzer::CameraState {
  std::mutex mutex;
  PlateVote vote;
  std::optional<OccupancyCounter> gate;  // set while the camera has its gate line
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
  int64_t pending = 0;
  {
    std::lock_guard lock(writes_mutex_);
    pending = static_cast<int64_t>(pending_writes_.size());
  }
  std::lock_guard lock(stats_mutex_);
  PlateAnalyzerStats s = stats_;
  s.writes_pending = pending;
  return s;
}

namespace {

std::optional<OccupancyCounter> gate_counter(const std::string& camera_id, const CountingLine& line,
                                             int min_frames_on_new_side) {
  OccupancyConfig gate;
  gate.lines = {line};
  gate.min_frames_on_new_side = min_frames_on_new_side;
  gate.counted_classes = {coco::kCar, coco::kMotorcycle, coco::kBus, coco::kTruck};
  auto counter = OccupancyCounter::create(gate);
  if (!counter) {
    spdlog::error("anpr gate line of {}: {}", camera_id, counter.error().message);
    return std::nullopt;
  }
  return std::move(*counter);
}

}  // namespace

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
      slot->gate = gate_counter(id, it->second, min_frames_on_new_side_);
    }
  }
  return *slot;
}

// The pipeline's lines are the truth (edited at runtime, saved lines applied at start-up), so
// the gate is checked against them every frame rather than told about edits by the API: one
// source, and the gate moves on the very frame the occupancy counter does. A moved line rebuilds
// the gate counter (each track's side is learnt afresh, as the pipeline's counter does, so the
// move itself counts no crossing); a deleted line leaves the camera without a gate, logging
// first/last-seen visits, until a line of that name is back.
void PlateAnalyzer::follow_gate_line(CameraState& cam, const AnalyzerFrame& frame) {
  const auto configured = gate_lines_.find(frame.camera_id);
  if (configured == gate_lines_.end() || frame.lines == nullptr) return;
  const std::string& line_id = configured->second.id;
  const auto line = std::find_if(frame.lines->begin(), frame.lines->end(),
                                 [&](const CountingLine& l) { return l.id == line_id; });
  if (line == frame.lines->end()) {
    if (cam.gate) {
      spdlog::warn(
          "anpr: camera {} has no line '{}' any more: visits there run from first to last "
          "sighting until it is back",
          frame.camera_id, line_id);
      cam.gate.reset();
    }
    return;
  }
  if (cam.gate && cam.gate->lines().front() == *line) return;
  spdlog::info("anpr: camera {}: gate line '{}' {}", frame.camera_id, line_id,
               cam.gate ? "moved" : "is back");
  cam.gate = gate_counter(frame.camera_id, *line, min_frames_on_new_side_);
}

Status PlateAnalyzer::on_frame(const AnalyzerFrame& frame, FrameOutcome& out) {
  flush_pending_writes();
  expire_entries_now_and_then(frame.timestamp);
  CameraState& cam = camera(frame.camera_id);
  std::lock_guard lock(cam.mutex);
  follow_gate_line(cam, frame);
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
    ts.first_last_seen = true;
    if (ts.settled) {
      ts.visit->plate_number = ts.plate;
      ts.visit->status = ts.status;
      ts.visit->matched_plate = ts.matched;
      ts.visit->ocr_confidence = ts.confidence;
    }
    write_track_visit(ts);
  } else if (ts.visit && !ts.visit->exit_time &&
             ts.last_seen - ts.last_seen_written >= kLastSeenEvery) {
    write_track_visit(ts);
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
    write_track_visit(ts);
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
  write_track_visit(ts);
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
    write_track_visit(ts);
    return;
  }
  std::optional<VehicleVisit> entry;
  if (store_ != nullptr && !ts.plate.empty()) {
    auto open = store_->open_visits(camera_id, oldest_live_entry(at), kOpenVisitsToPair);
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
  write_track_visit(ts);
}

Status PlateAnalyzer::end_track(CameraState& cam, const std::string& camera_id, int64_t track_id,
                                FrameOutcome& out, SystemTime at) {
  auto it = cam.tracks.find(track_id);
  if (it == cam.tracks.end()) return {};
  TrackState& ts = it->second;
  Status result;
  if (!ts.best_crop.empty()) result = ocr_best_frame(cam, track_id, ts, out);
  settle(cam, track_id, ts, cam.vote.end_track(track_id), at, out);
  // An exit crossed at the gate closes the visit whatever opened it; a first/last-seen visit
  // closes at the last sighting; a gate entry stays open (the vehicle is inside).
  if (ts.exit_crossed) {
    close_at_gate(cam, camera_id, track_id, ts);
  } else if (ts.visit && ts.first_last_seen && !ts.visit->exit_time) {
    ts.visit->exit_time = ts.last_seen;
    write_track_visit(ts);
  }
  if (ts.frames >= config_.min_track_frames) {
    std::lock_guard lock(stats_mutex_);
    ++stats_.tracks;
    stats_.ocr_calls += ts.ocr_calls;
  }
  cam.tracks.erase(it);
  return result;
}

// Every write of a track's visit carries its last sighting (what start-up recovery closes an
// interrupted visit at).
void PlateAnalyzer::write_track_visit(TrackState& ts) {
  ts.visit->last_seen = ts.last_seen;
  ts.last_seen_written = ts.last_seen;
  write_visit(*ts.visit);
}

void PlateAnalyzer::write_visit(const VehicleVisit& visit) {
  if (store_ == nullptr) return;
  std::lock_guard lock(writes_mutex_);
  if (pending_writes_.empty()) {
    const Status st = store_->record_visit(visit);
    if (st) return;
    spdlog::warn("anpr: visit {} not written yet: {}", visit.visit_key, st.error().message);
    std::lock_guard stats_lock(stats_mutex_);
    ++stats_.write_failures;
  }
  queue_write(visit);
}

// Requires writes_mutex_. The spool line is on disk before the frame's results go out.
void PlateAnalyzer::queue_write(const VehicleVisit& visit) {
  if (pending_writes_.size() >= kMaxPendingWrites) {
    std::lock_guard stats_lock(stats_mutex_);
    if (stats_.writes_dropped++ % 1000 == 0) {
      spdlog::error("anpr: {} visit writes waiting for the database; dropping visit {}",
                    pending_writes_.size(), visit.visit_key);
    }
    return;
  }
  if (spool_) {
    if (Status st = spool_->append(visit); !st) {
      spdlog::error("anpr: visit {} held in memory only: {}", visit.visit_key, st.error().message);
    }
  }
  pending_writes_.push_back(visit);
}

void PlateAnalyzer::flush_pending_writes() {
  if (store_ == nullptr) return;
  std::lock_guard lock(writes_mutex_);
  if (pending_writes_.empty()) return;
  while (!pending_writes_.empty()) {
    if (!store_->record_visit(pending_writes_.front())) return;
    pending_writes_.pop_front();
  }
  // Everything spooled is in the database now.
  if (spool_) {
    if (Status st = spool_->clear(); !st) spdlog::warn("anpr: {}", st.error().message);
  }
}

Status PlateAnalyzer::recover(const std::string& spool_path, SystemTime now) {
  if (store_ == nullptr) return {};
  if (!spool_path.empty()) {
    auto opened = VisitSpool::open(spool_path);
    if (!opened) return opened.error();
    std::lock_guard lock(writes_mutex_);
    spool_ = std::move(opened->spool);
    if (!opened->pending.empty()) {
      spdlog::info("anpr: replaying {} visit write(s) from {}", opened->pending.size(), spool_path);
    }
    pending_writes_.insert(pending_writes_.begin(), opened->pending.begin(), opened->pending.end());
  }
  flush_pending_writes();
  close_visits_left_open(now);
  return {};
}

bool PlateAnalyzer::writes_waiting() {
  std::lock_guard lock(writes_mutex_);
  return !pending_writes_.empty();
}

// Gate entries before this are expired: their exit was missed (anpr.max_visit_hours).
SystemTime PlateAnalyzer::oldest_live_entry(SystemTime now) const {
  return now - std::chrono::hours(config_.max_visit_hours);
}

void PlateAnalyzer::close_visits_left_open(SystemTime now) {
  if (writes_waiting()) {
    spdlog::warn(
        "anpr: the database takes no visit writes yet; open visits are closed at the next start");
    return;
  }
  auto open = store_->all_open_visits();
  if (!open) {
    spdlog::warn("anpr: open visits not checked: {}", open.error().message);
    return;
  }
  const SystemTime oldest_entry = oldest_live_entry(now);
  int64_t restarted = 0, expired = 0;
  for (VehicleVisit& v : *open) {
    if (visit_kind(v.visit_key) == "seen") {
      v.exit_time = v.last_seen;
      v.closed_reason = "restart";
      ++restarted;
    } else if (expired_entry(v, oldest_entry)) {
      v.closed_reason = "expired";
      ++expired;
    } else {
      continue;  // a gate entry: the vehicle may still be inside
    }
    write_visit(v);
  }
  if (restarted + expired > 0) {
    spdlog::info("anpr: closed {} visit(s) the last run left open in view, {} expired entr(ies)",
                 restarted, expired);
  }
  std::lock_guard lock(stats_mutex_);
  stats_.visits_closed_at_start += restarted + expired;
}

// Once a minute of frame time, whichever camera's frame it is: the sweep covers every camera,
// those sending no frames included.
void PlateAnalyzer::expire_entries_now_and_then(SystemTime frame_time) {
  if (store_ == nullptr) return;
  // A frame stamped ahead of the clock (a client's clock is wrong) must not expire entries early.
  const SystemTime now = std::min(frame_time, std::chrono::system_clock::now());
  {
    std::lock_guard lock(expiry_mutex_);
    if (now < next_expiry_sweep_) return;
    next_expiry_sweep_ = now + kExpirySweepEvery;
  }
  expire_entries(now);
}

int64_t PlateAnalyzer::expire_entries(SystemTime now) {
  if (store_ == nullptr) return 0;
  // Writes are waiting: the database is failing, and the open visits it lists may miss an exit
  // still in the spool. The next sweep tries again (the ledger lets an exit win either way).
  if (writes_waiting()) return 0;
  const SystemTime entered_before = oldest_live_entry(now);
  int64_t expired = expire_entries_in_view(entered_before);
  auto open = store_->open_visits_entered_before(entered_before);
  if (!open) {
    spdlog::warn("anpr: expired gate entries not checked: {}", open.error().message);
  } else {
    for (VehicleVisit& v : *open) {
      if (!expired_entry(v, entered_before)) continue;  // first/last seen: its track is in view
      v.closed_reason = "expired";
      write_visit(v);
      ++expired;
    }
  }
  if (expired > 0) {
    spdlog::info("anpr: closed {} gate entr(ies) open for more than {} h (expired)", expired,
                 config_.max_visit_hours);
    std::lock_guard lock(stats_mutex_);
    stats_.visits_expired += expired;
  }
  return expired;
}

// A track still in view whose gate entry expired (parked in sight of the gate for a day) drops
// its visit: its exit, if it ever comes, is logged on its own instead of closing the expired
// entry.
int64_t PlateAnalyzer::expire_entries_in_view(SystemTime entered_before) {
  std::vector<CameraState*> cameras;
  {
    std::lock_guard lock(cameras_mutex_);
    for (const auto& [id, cam] : cameras_) cameras.push_back(cam.get());
  }
  int64_t expired = 0;
  for (CameraState* cam : cameras) {
    std::lock_guard lock(cam->mutex);
    for (auto& [track_id, ts] : cam->tracks) {
      if (!ts.visit || ts.first_last_seen || !expired_entry(*ts.visit, entered_before)) continue;
      ts.visit->closed_reason = "expired";
      write_track_visit(ts);
      ts.visit.reset();
      ++expired;
    }
  }
  return expired;
}

}  // namespace fai
