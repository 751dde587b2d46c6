#pragma once
// The per-camera pipeline: Frame -> Detector -> Tracker -> analyzers -> outcome + store rows.
// Frames of one camera are processed in order, different cameras in parallel, each worker with
// its own detector session. Queues are bounded: a full camera queue is refused, not piled up.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <opencv2/core.hpp>

#include "config/config.h"
#include "core/stats.h"
#include "pipeline/frame_analyzer.h"
#include "pipeline/frame_outcome.h"
#include "store/id_blocks.h"
#include "store/store.h"
#include "store/write_behind.h"

namespace fai {

struct FrameJob {
  std::string camera_id;  // empty = the configured default camera
  cv::Mat image;          // 8-bit BGR, decoded
  SystemTime timestamp;   // SystemTime{} = arrival: stamped by submit() when accepted
};

using DetectorFactory = std::function<Expected<std::unique_ptr<Detector>>()>;
// Called by a worker after each processed frame (e.g. to push live events); must be quick.
using OutcomeListener = std::function<void(const FrameOutcome&)>;

struct CameraStatus {
  std::string camera_id;
  OccupancyCounts counts;
  std::vector<CountingLine> lines;  // what the camera counts with (set_lines() shows at once)
  int width = 0, height = 0;        // of the last processed frame
  int64_t frames = 0;
  int64_t last_frame_id = 0;
  SystemTime last_frame_time;
  int queued = 0;
};

struct PipelineStats {
  int64_t frames_processed = 0;
  int64_t frames_rejected = 0;                     // refused because a queue was full
  int64_t frames_failed = 0;                       // the detector returned an error
  int64_t rows_refused = 0;                        // store queue full: a row could not be queued
  int64_t analyzer_errors = 0;                     // FrameAnalyzer::on_frame() failures
  std::map<std::string, LatencySummary> stage_ms;  // over the last frames (sliding window)
};

// submit() hands a frame to its camera's queue and returns a future for the outcome; it never
// blocks on the detector or the database. Errors: kOverloaded (queue full), kNotFound (unknown
// camera while cameras are locked), kUnavailable (stopping). Thread-safe. stop() finishes the
// frames already accepted, then joins the workers; the destructor calls it.
class Pipeline {
 public:
  static Expected<std::unique_ptr<Pipeline>> create(
      const Config& config, const DetectorFactory& make_detector, WriteBehindQueue* writer,
      const std::vector<CameraCounters>& restored, IdBlocks& frame_ids,
      std::vector<std::shared_ptr<FrameAnalyzer>> analyzers = {});
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  Expected<std::future<Expected<FrameOutcome>>> submit(FrameJob job);
  void stop();

  // Listeners see every outcome, in each camera's frame order. Thread-safe.
  void add_listener(OutcomeListener listener);

  // Replaces a camera's counting lines (empty: the seed's default line). Validated at once
  // (kInvalidArgument); the camera's counter is rebuilt before its next frame, keeping its
  // occupancy, entries and exits (and per-line counts of lines whose id stays). Creates the
  // camera unless cameras are locked (kNotFound). Thread-safe.
  Status set_lines(const std::string& camera_id, std::vector<CountingLine> lines);
  Expected<std::vector<CountingLine>> lines(const std::string& camera_id) const;

  std::vector<CameraStatus> cameras() const;
  PipelineStats stats() const;

 private:
  struct Camera;
  struct Job;
  struct Timing;

  Pipeline(const Config& config, WriteBehindQueue* writer, IdBlocks& frame_ids);
  Expected<Camera*> camera_for(const std::string& id);
  Expected<std::unique_ptr<Camera>> make_camera(const std::string& id,
                                                const CameraConfig* configured) const;
  void run_worker(std::unique_ptr<Detector> detector);
  Expected<FrameOutcome> process(Camera& camera, Detector& detector, Job& job);
  Status apply_pending_lines(Camera& camera);
  void persist(Camera& camera, const FrameOutcome& outcome);
  void run_analyzers(Camera& camera, const Job& job, FrameOutcome& out);
  void record_times(const FrameOutcome& outcome);
  void notify(const FrameOutcome& outcome);

  const Config config_;
  WriteBehindQueue* writer_;
  IdBlocks& frame_ids_;

  mutable std::mutex mutex_;  // guards cameras_, ready_, stopping_, stats_
  std::condition_variable ready_cv_;
  std::map<std::string, std::unique_ptr<Camera>> cameras_;
  std::deque<Camera*> ready_;  // cameras with queued frames and no worker on them
  bool stopping_ = false;
  PipelineStats stats_;
  std::unique_ptr<Timing> timing_;
  std::vector<std::shared_ptr<FrameAnalyzer>> analyzers_;
  std::mutex listeners_mutex_;
  std::vector<OutcomeListener> listeners_;
  std::vector<std::thread> workers_;
};

}  // namespace fai
