#include "pipeline/pipeline.h"

#include <algorithm>
#include <optional>

#include <spdlog/spdlog.h>

#include "pipeline/analytics_config.h"

namespace fai {
namespace {

using Clock = std::chrono::steady_clock;

// Each camera holds a tracker and counters: a client inventing ids must not grow them forever.
constexpr size_t kMaxCameras = 256;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

struct Pipeline::Job {
  FrameJob frame;
  std::promise<Expected<FrameOutcome>> promise;
  Clock::time_point submitted;
};

// Queue and status fields are guarded by Pipeline::mutex_; the analytics state is touched only
// by the one worker that holds the camera (busy), so frames of a camera run in order.
struct Pipeline::Camera {
  std::string id;
  std::deque<Job> queue;
  bool busy = false;
  CameraStatus status;

  Tracker tracker;
  OccupancyCounter occupancy;
  int64_t frame_seq = 0;
  std::optional<OccupancyConfig> pending_lines;  // set_lines(); applied by the worker
  Clock::time_point last_snapshot{};
  OccupancyCounts last_snapshot_counts;

  Camera(std::string camera_id, const TrackerConfig& tracker_cfg, OccupancyCounter counter)
      : id(std::move(camera_id)), tracker(tracker_cfg), occupancy(std::move(counter)) {
    status.camera_id = id;
    status.lines = occupancy.lines();
  }
};

// Sliding windows of per-stage times for /api/diagnostic.
struct Pipeline::Timing {
  static constexpr size_t kWindow = 1000;
  std::map<std::string, std::deque<double>> samples;

  void add(const std::string& stage, double ms) {
    auto& q = samples[stage];
    q.push_back(ms);
    if (q.size() > kWindow) q.pop_front();
  }
};

Pipeline::Pipeline(const Config& config, WriteBehindQueue* writer, IdBlocks& frame_ids)
    : config_(config),
      writer_(writer),
      frame_ids_(frame_ids),
      timing_(std::make_unique<Timing>()) {}

Expected<std::unique_ptr<Pipeline>> Pipeline::create(
    const Config& config, const DetectorFactory& make_detector, WriteBehindQueue* writer,
    const std::vector<CameraCounters>& restored, IdBlocks& frame_ids,
    std::vector<std::shared_ptr<FrameAnalyzer>> analyzers) {
  std::unique_ptr<Pipeline> p(new Pipeline(config, writer, frame_ids));
  p->analyzers_ = std::move(analyzers);
  for (const CameraConfig& c : config.cameras) {
    auto camera = p->make_camera(c.id, &c);
    if (!camera) return camera.error();
    p->cameras_[c.id] = std::move(*camera);
  }
  for (const CameraCounters& r : restored) {
    auto camera = p->camera_for(r.camera_id);
    if (!camera) continue;  // a camera no longer configured while cameras are locked
    const OccupancyCounts counts{r.occupancy, r.entries, r.exits};
    if (auto st = (*camera)->occupancy.restore(counts); !st) return st.error();
    (*camera)->status.counts = counts;
    (*camera)->last_snapshot_counts = counts;
  }
  std::vector<std::unique_ptr<Detector>> detectors;
  for (int i = 0; i < config.pipeline.workers; ++i) {
    auto detector = make_detector();
    if (!detector) return detector.error();
    detectors.push_back(std::move(*detector));
  }
  for (auto& d : detectors) {
    p->workers_.emplace_back(
        [raw = p.get(), det = std::move(d)]() mutable { raw->run_worker(std::move(det)); });
  }
  return p;
}

Pipeline::~Pipeline() {
  stop();
}

void Pipeline::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_cv_.notify_all();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
}

Expected<std::unique_ptr<Pipeline::Camera>> Pipeline::make_camera(
    const std::string& id, const CameraConfig* configured) const {
  auto counter = OccupancyCounter::create(occupancy_config(config_.occupancy, configured));
  if (!counter) {
    return make_error(counter.error().code, "camera " + id + ": " + counter.error().message);
  }
  return std::make_unique<Camera>(id, tracker_config(config_.tracker), std::move(*counter));
}

// Requires mutex_ held.
Expected<Pipeline::Camera*> Pipeline::camera_for(const std::string& id) {
  if (auto it = cameras_.find(id); it != cameras_.end()) return it->second.get();
  if (config_.cameras_locked) {
    return make_error(ErrorCode::kNotFound, "unknown camera '" + id + "' (cameras are locked)");
  }
  if (cameras_.size() >= kMaxCameras) {
    return make_error(ErrorCode::kOverloaded, "too many cameras (" + std::to_string(kMaxCameras) +
                                                  "); list them in the config and lock them");
  }
  auto camera = make_camera(id, nullptr);
  if (!camera) return camera.error();
  Camera* raw = camera->get();
  cameras_[id] = std::move(*camera);
  return raw;
}

Expected<std::future<Expected<FrameOutcome>>> Pipeline::submit(FrameJob frame) {
  if (frame.camera_id.empty()) frame.camera_id = config_.default_camera;
  if (writer_ != nullptr && writer_->stats().queued_rows >= config_.store.queue_capacity) {
    return make_error(ErrorCode::kOverloaded, "the database is behind; try again shortly");
  }
  std::lock_guard lock(mutex_);
  if (stopping_) return make_error(ErrorCode::kUnavailable, "the server is shutting down");
  auto camera = camera_for(frame.camera_id);
  if (!camera) return camera.error();
  Camera& cam = **camera;
  if (static_cast<int>(cam.queue.size()) >= config_.pipeline.queue_per_camera) {
    ++stats_.frames_rejected;
    return make_error(ErrorCode::kOverloaded, "camera '" + cam.id + "' has " +
                                                  std::to_string(cam.queue.size()) +
                                                  " frames waiting; try again shortly");
  }
  // Stamped under the lock, so a camera's arrival times follow its queue (and frame id) order;
  // the crossing ledger is replayed by time at start-up.
  if (frame.timestamp == SystemTime{}) frame.timestamp = std::chrono::system_clock::now();
  Job job{std::move(frame), {}, Clock::now()};
  auto future = job.promise.get_future();
  cam.queue.push_back(std::move(job));
  cam.status.queued = static_cast<int>(cam.queue.size());
  if (!cam.busy) {
    cam.busy = true;
    ready_.push_back(&cam);
    ready_cv_.notify_one();
  }
  return future;
}

void Pipeline::run_worker(std::unique_ptr<Detector> detector) {
  for (;;) {
    Camera* camera = nullptr;
    Job job;
    {
      std::unique_lock lock(mutex_);
      ready_cv_.wait(lock, [&] { return !ready_.empty() || stopping_; });
      if (ready_.empty()) return;  // stopping, and every accepted frame is done
      camera = ready_.front();
      ready_.pop_front();
      job = std::move(camera->queue.front());
      camera->queue.pop_front();
    }
    auto outcome = process(*camera, *detector, job);
    {
      std::lock_guard lock(mutex_);
      if (outcome) {
        ++stats_.frames_processed;
        camera->status.counts = outcome->counts;
        ++camera->status.frames;
        camera->status.last_frame_id = outcome->frame_id;
        camera->status.last_frame_time = outcome->timestamp;
        camera->status.width = outcome->width;
        camera->status.height = outcome->height;
        record_times(*outcome);
      } else {
        ++stats_.frames_failed;
      }
      camera->status.queued = static_cast<int>(camera->queue.size());
      if (camera->queue.empty()) {
        camera->busy = false;
      } else {
        ready_.push_back(camera);
        ready_cv_.notify_one();
      }
    }
    if (outcome) notify(*outcome);
    job.promise.set_value(std::move(outcome));
  }
}

void Pipeline::add_listener(OutcomeListener listener) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.push_back(std::move(listener));
}

void Pipeline::notify(const FrameOutcome& outcome) {
  std::lock_guard lock(listeners_mutex_);
  for (const auto& listener : listeners_) listener(outcome);
}

Status Pipeline::set_lines(const std::string& camera_id, std::vector<CountingLine> lines) {
  OccupancyConfig config = occupancy_config(config_.occupancy, nullptr);
  config.lines = std::move(lines);
  auto counter = OccupancyCounter::create(config);  // validates before anything changes
  if (!counter) return counter.error();
  std::lock_guard lock(mutex_);
  auto camera = camera_for(camera_id);
  if (!camera) return camera.error();
  (*camera)->status.lines = counter->lines();
  (*camera)->pending_lines = std::move(config);
  return {};
}

Expected<std::vector<CountingLine>> Pipeline::lines(const std::string& camera_id) const {
  std::lock_guard lock(mutex_);
  const auto it = cameras_.find(camera_id);
  if (it == cameras_.end())
    return make_error(ErrorCode::kNotFound, "no camera '" + camera_id + "'");
  return it->second->status.lines;
}

// Runs on the camera's worker, between frames: the new counter starts from the old counts and
// every track's side is learnt afresh, so a moved line never counts a crossing it did not see.
Status Pipeline::apply_pending_lines(Camera& camera) {
  std::optional<OccupancyConfig> pending;
  {
    std::lock_guard lock(mutex_);
    pending.swap(camera.pending_lines);
  }
  if (!pending) return {};
  auto counter = OccupancyCounter::create(*pending);
  if (!counter) return counter.error();
  std::vector<LineCounts> kept;
  for (const LineCounts& old : camera.occupancy.line_counts()) {
    for (const CountingLine& l : pending->lines) {
      if (l.id == old.line_id) kept.push_back(old);
    }
  }
  if (auto st = counter->restore(camera.occupancy.camera_counts(), kept); !st) return st;
  camera.occupancy = std::move(*counter);
  return {};
}

Expected<FrameOutcome> Pipeline::process(Camera& camera, Detector& detector, Job& job) {
  if (auto st = apply_pending_lines(camera); !st) return st.error();
  FrameOutcome out;
  out.times.queue_ms = ms_since(job.submitted);
  out.camera_id = camera.id;
  out.timestamp = job.frame.timestamp;
  out.width = job.frame.image.cols;
  out.height = job.frame.image.rows;
  auto dets = detector.detect(job.frame.image);
  if (!dets) return dets.error();
  out.detections = std::move(*dets);
  const DetectTiming& dt = detector.last_timing();
  out.times.preprocess_ms = dt.preprocess_ms;
  out.times.forward_ms = dt.forward_ms;
  out.times.postprocess_ms = dt.postprocess_ms;

  auto start = Clock::now();
  out.tracks = camera.tracker.update(out.detections, ++camera.frame_seq);
  out.times.track_ms = ms_since(start);

  start = Clock::now();
  OccupancyFrame occupancy = camera.occupancy.on_frame(out.tracks, out.detections);
  out.counts = occupancy.camera;
  out.crossings = std::move(occupancy.crossings);
  for (const auto& c : out.crossings) {
    (c.crossing.direction == CrossingDirection::kIn ? out.entries_this_frame
                                                    : out.exits_this_frame)++;
  }
  for (const Track& t : out.tracks) {
    if (t.det_index < 0) continue;
    if (t.class_id == coco::kPerson) ++out.people_count;
    if (coco::is_vehicle(t.class_id)) ++out.vehicle_count;
  }
  run_analyzers(camera, job, out);
  for (int64_t ended : camera.tracker.ended_track_ids()) camera.occupancy.on_track_end(ended);
  out.times.analytics_ms = ms_since(start);
  auto frame_id = frame_ids_.next();
  if (!frame_id) return frame_id.error();
  out.frame_id = *frame_id;
  out.times.total_ms = ms_since(job.submitted);
  persist(camera, out);
  return out;
}

void Pipeline::run_analyzers(Camera& camera, const Job& job, FrameOutcome& out) {
  const AnalyzerFrame frame{camera.id,
                            job.frame.image,
                            out.timestamp,
                            camera.frame_seq,
                            camera.tracker.ended_track_ids(),
                            &camera.occupancy.lines()};
  for (const auto& analyzer : analyzers_) {
    const auto start = Clock::now();
    const Status st = analyzer->on_frame(frame, out);
    out.analyzer_ms[analyzer->name()] = ms_since(start);
    if (!st) {
      spdlog::warn("camera {}: {}: {}", camera.id, analyzer->name(), st.error().message);
      std::lock_guard lock(mutex_);
      ++stats_.analyzer_errors;
    }
  }
}

// Rows leave through the write-behind queue; a full queue is counted and logged, and submit()
// refuses new frames until it drains.
void Pipeline::persist(Camera& camera, const FrameOutcome& out) {
  if (writer_ == nullptr) return;
  int refused = 0;
  for (const TrackCrossing& c : out.crossings) {
    CrossingRow row{camera.id,
                    c.crossing.line_id,
                    c.track_id,
                    c.crossing.class_id,
                    c.crossing.direction,
                    out.timestamp,
                    ""};
    refused += writer_->try_enqueue(std::move(row)) ? 0 : 1;
  }
  const auto now = Clock::now();
  const bool changed = !(out.counts.occupancy == camera.last_snapshot_counts.occupancy &&
                         out.counts.entries == camera.last_snapshot_counts.entries &&
                         out.counts.exits == camera.last_snapshot_counts.exits);
  const bool due =
      now - camera.last_snapshot >= std::chrono::seconds(config_.occupancy.snapshot_interval_s);
  if (changed || due) {
    OccupancySnapshot snap{camera.id, out.counts.occupancy, out.counts.entries, out.counts.exits,
                           out.timestamp};
    if (writer_->try_enqueue(std::move(snap))) {
      camera.last_snapshot = now;
      camera.last_snapshot_counts = out.counts;
    } else {
      ++refused;
    }
  }
  MetricRow metric{camera.id,    out.frame_id,   out.times.total_ms, out.aws_calls,
                   out.aws_cost, out.cache_hits, out.timestamp};
  refused += writer_->try_enqueue(std::move(metric)) ? 0 : 1;
  if (refused > 0) {
    std::lock_guard lock(mutex_);
    stats_.rows_refused += refused;
    spdlog::error("store queue full: {} row(s) of frame {} not queued", refused, out.frame_id);
  }
}

// Requires mutex_ held.
void Pipeline::record_times(const FrameOutcome& outcome) {
  const StageTimes& t = outcome.times;
  for (const auto& [name, ms] : outcome.analyzer_ms) timing_->add(name, ms);
  timing_->add("queue", t.queue_ms);
  timing_->add("preprocess", t.preprocess_ms);
  timing_->add("forward", t.forward_ms);
  timing_->add("postprocess", t.postprocess_ms);
  timing_->add("track", t.track_ms);
  timing_->add("analytics", t.analytics_ms);
  timing_->add("total", t.total_ms);
}

std::vector<CameraStatus> Pipeline::cameras() const {
  std::lock_guard lock(mutex_);
  std::vector<CameraStatus> out;
  for (const auto& [id, camera] : cameras_) out.push_back(camera->status);
  return out;
}

PipelineStats Pipeline::stats() const {
  std::lock_guard lock(mutex_);
  PipelineStats s = stats_;
  for (const auto& [stage, q] : timing_->samples) {
    s.stage_ms[stage] = summarize(std::vector<double>(q.begin(), q.end()));
  }
  return s;
}

}  // namespace fai
