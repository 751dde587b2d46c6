#pragma once
// Occupancy from counting lines: a track's anchor (the bottom centre of its box, where the person
// stands) changing sides of a line is an entry or an exit, counted once the track has stayed on
// the new side for a few frames so jitter on the line never counts twice.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/expected.h"
#include "core/types.h"

namespace fai {

struct Point {
  float x = 0, y = 0;
  bool operator==(const Point&) const = default;
};

// Left/right as seen on screen by someone walking from a line's start to its end.
enum class LineSide { kLeft, kRight };

struct CountingLine {
  std::string id;
  Point start, end;                     // source pixels
  LineSide in_side = LineSide::kRight;  // moving onto this side is an entry
  bool infinite = false;  // false: only crossings between start and end count (a door)
  bool operator==(const CountingLine&) const = default;
};

// The seed's line: y = 400 across the whole frame, moving down is an entry.
CountingLine default_counting_line();

struct OccupancyConfig {
  std::vector<CountingLine> lines;  // empty: {default_counting_line()}
  int min_frames_on_new_side = 3;   // consecutive observed frames before a crossing counts
  std::vector<int> counted_classes = {coco::kPerson};
};

struct OccupancyCounts {
  int64_t occupancy = 0;  // entries - exits, never below 0
  int64_t entries = 0;
  int64_t exits = 0;
};

struct LineCounts {
  std::string line_id;
  OccupancyCounts counts;
};

struct TrackCrossing {
  int64_t track_id = 0;
  LineCrossing crossing;
};

struct OccupancyFrame {
  std::vector<TrackCrossing> crossings;  // counted this frame: input track order, then line order
  OccupancyCounts camera;                // all lines together, after this frame
  std::vector<LineCounts> lines;         // config order
};

// One counter per camera. on_frame() takes the frame's tracks and the detections their
// det_index points into; only tracks with a detection (det_index >= 0) and a counted class move,
// anchored on the detection box (what was seen, not the Kalman estimate). Per-track state lives
// until on_track_end(id). A point exactly on a line is on its right side. Not thread-safe.
class OccupancyCounter {
 public:
  // Rejects duplicate or empty line ids, zero-length lines and min_frames_on_new_side < 1.
  static Expected<OccupancyCounter> create(const OccupancyConfig& config);

  OccupancyFrame on_frame(const std::vector<Track>& tracks,
                          const std::vector<Detection>& detections);
  void on_track_end(int64_t track_id);

  // Start-up from stored counters (camera totals, optionally per line). Rejects negative values
  // and unknown line ids; on error nothing changes.
  Status restore(const OccupancyCounts& camera, const std::vector<LineCounts>& lines = {});

  OccupancyCounts camera_counts() const { return camera_; }
  const std::vector<CountingLine>& lines() const { return config_.lines; }  // resolved
  std::vector<LineCounts> line_counts() const;
  size_t tracks_with_state() const { return tracks_.size(); }

 private:
  struct LineState {
    LineSide side = LineSide::kLeft;  // the confirmed side
    Point last_anchor;
    int frames_on_new_side = 0;    // 0 = not crossing
    bool crossed_segment = false;  // the pending change of side went through the segment
  };
  explicit OccupancyCounter(OccupancyConfig config);
  bool counted(int class_id) const;
  // Returns true when a crossing of line `line` is confirmed at `anchor`.
  bool observe(LineState& state, int line, Point anchor) const;
  void count(int line, const Track& track, OccupancyFrame& frame);

  OccupancyConfig config_;
  OccupancyCounts camera_;
  std::vector<OccupancyCounts> per_line_;
  std::unordered_map<int64_t, std::vector<LineState>> tracks_;
};

}  // namespace fai
