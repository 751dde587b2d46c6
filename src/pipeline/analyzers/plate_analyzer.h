#pragma once
// Plate reading per vehicle track and the visit ledger. Of each vehicle track's frames only the
// best of every few (box area x sharpness, boxes too small skipped) gets an OCR call, at most
// anpr.max_ocr_frames per track; a confidence-weighted character vote (PlateVote) turns the reads
// into one plate per visit, which is matched against the white/black lists (edit distance and
// validity window) and logged as a VehicleLog with entry and exit times.
//
// Visits: on a camera with a gate line (anpr.gate_lines) crossing inwards opens a visit and
// crossing outwards closes the open visit of the same plate (or logs an exit of its own); on
// other cameras a visit runs from the track's first to its last frame. Each visit is written at
// once when it opens and again when its plate or exit is known (and its last sighting every few
// seconds while in view), keyed by a visit key so a retry, a restart or a replay updates the row
// instead of adding one.
//
// Robustness: the gate follows the camera's line as edited at runtime (AnalyzerFrame::lines); a
// write the database refuses waits, in order, in memory and in a spool file (fdatasync'ed), which
// recover() replays at start-up before it closes the visits the previous run left open. A gate
// entry open longer than anpr.max_visit_hours (its exit was missed) is closed as "expired" at
// start-up and, while running, by a sweep at most once a minute (expire_entries()).

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "analytics/anpr/plate_match.h"
#include "analytics/anpr/plate_reader.h"
#include "analytics/anpr/plate_vote.h"
#include "analytics/occupancy/occupancy_counter.h"
#include "config/config.h"
#include "pipeline/frame_analyzer.h"
#include "store/vehicle_store.h"
#include "store/visit_spool.h"

namespace fai {

// Reads one plate inside `vehicle_box` of `image` (PlateReader::read in production).
using PlateReadFn =
    std::function<Expected<std::optional<PlateRead>>(const cv::Mat& image, const Box& vehicle_box)>;

struct PlateAnalyzerStats {
  int64_t tracks = 0;           // vehicle tracks that ended after min_track_frames frames
  int64_t ocr_calls = 0;        // OCR calls those tracks cost
  int64_t ocr_calls_total = 0;  // every OCR call so far, tracks still in view included
  int64_t plates_read = 0;
  int64_t alerts = 0;
  int64_t write_failures = 0;          // visit writes retried later
  int64_t writes_pending = 0;          // visit writes waiting for the database now (spooled)
  int64_t writes_dropped = 0;          // visit writes lost because too many were waiting
  int64_t visits_closed_at_start = 0;  // visits recover() closed (restart or expired)
  int64_t visits_expired = 0;          // gate entries expired while running (expire_entries)
  double ocr_calls_per_track() const {
    return tracks > 0 ? static_cast<double>(ocr_calls) / static_cast<double>(tracks) : 0.0;
  }
};

// "camera/line" entries of anpr.gate_lines resolved against the cameras' lines (a camera without
// lines has the seed's line "default"). Unknown camera or line -> kInvalidArgument. This is the
// start-up geometry; from each frame on, the line of that name in AnalyzerFrame::lines counts.
Expected<std::map<std::string, CountingLine>> resolve_gate_lines(const Config& config);

class PlateAnalyzer final : public FrameAnalyzer {
 public:
  // `store` may be null: plates are read and matched against nothing (status unknown), no visit
  // is written.
  PlateAnalyzer(AnprConfig config, PlateReadFn read, VehicleStore* store,
                std::map<std::string, CountingLine> gate_lines, int min_frames_on_new_side = 3);
  ~PlateAnalyzer() override;

  // Start-up, before the first frame. Opens the visit spool at `spool_path` (empty: failed
  // writes wait in memory only) and writes what a previous run left in it, in order; then closes
  // the visits the previous run left open (`now` is the start-up time):
  //  - a first/last-seen visit (its track was in view when that run stopped) gets exit_time =
  //    its stored last sighting, or no exit when none was stored, and closed_reason "restart";
  //  - a gate entry stays open (the vehicle may be inside; its exit pairs with it later) unless
  //    it entered more than anpr.max_visit_hours before `now`: closed_reason "expired", no exit.
  // While spooled writes cannot be written yet the closing waits for the next start (it would
  // otherwise overwrite an exit still in the spool). Errors: the spool cannot be opened.
  Status recover(const std::string& spool_path, SystemTime now);

  // Closes, as recover() does at start-up, every gate entry of every camera that entered more
  // than anpr.max_visit_hours before `now` and is still open: closed_reason "expired", no exit;
  // a track still in view drops its visit, so its exit is logged on its own. Frames call it at
  // most once a minute of their time (the newest frame time of any camera, never ahead of the
  // clock), so a camera that sends no frames has its entries closed by the others'. Skipped
  // while visit writes wait for the database (the database may not hold an exit yet). Returns
  // how many entries it closed.
  int64_t expire_entries(SystemTime now);

  std::string name() const override { return "plates"; }
  Status on_frame(const AnalyzerFrame& frame, FrameOutcome& out) override;

  PlateAnalyzerStats stats() const;

 private:
  struct TrackState;
  struct CameraState;

  CameraState& camera(const std::string& id);
  void expire_entries_now_and_then(SystemTime frame_time);
  int64_t expire_entries_in_view(SystemTime entered_before);
  void follow_gate_line(CameraState& cam, const AnalyzerFrame& frame);
  void observe(CameraState& cam, const AnalyzerFrame& frame, const Track& track, const Box& box,
               FrameOutcome& out);
  void consider_frame(TrackState& ts, const cv::Mat& image, const Box& box);
  Status ocr_best_frame(CameraState& cam, int64_t track_id, TrackState& ts, FrameOutcome& out);
  void settle(CameraState& cam, int64_t track_id, TrackState& ts,
              const std::optional<PlateConsensus>& consensus, SystemTime at, FrameOutcome& out);
  void on_gate_crossing(CameraState& cam, const std::string& camera_id, int64_t track_id,
                        CrossingDirection direction, SystemTime at);
  void close_at_gate(CameraState& cam, const std::string& camera_id, int64_t track_id,
                     TrackState& ts);
  Status end_track(CameraState& cam, const std::string& camera_id, int64_t track_id,
                   FrameOutcome& out, SystemTime at);
  void write_track_visit(TrackState& ts);
  void write_visit(const VehicleVisit& visit);
  void queue_write(const VehicleVisit& visit);
  void flush_pending_writes();
  void close_visits_left_open(SystemTime now);
  bool writes_waiting();
  SystemTime oldest_live_entry(SystemTime now) const;
  std::vector<ListedPlate> lists();

  const AnprConfig config_;
  PlateReadFn read_;
  VehicleStore* store_;
  const std::map<std::string, CountingLine> gate_lines_;
  const int min_frames_on_new_side_;

  std::mutex cameras_mutex_;
  std::map<std::string, std::unique_ptr<CameraState>> cameras_;

  std::mutex lists_mutex_;
  std::vector<ListedPlate> lists_;
  uint64_t lists_generation_ = 0;
  std::chrono::steady_clock::time_point lists_loaded_{};
  bool lists_valid_ = false;

  std::mutex expiry_mutex_;
  SystemTime next_expiry_sweep_{};  // frame time of the next sweep; the first frame sweeps

  mutable std::mutex stats_mutex_;
  PlateAnalyzerStats stats_;

  // Visit writes are serialised: while one waits (the database refused it) every later one
  // waits behind it, so the writes of a visit reach the database in order.
  mutable std::mutex writes_mutex_;
  std::deque<VehicleVisit> pending_writes_;  // failed writes, retried in order
  std::unique_ptr<VisitSpool> spool_;        // the same writes on disk; null: memory only
};

}  // namespace fai
