#pragma once
// Analytics that run per camera frame after tracking and occupancy: face recognition per person
// track, plate reading per vehicle track, attendance, snapshots. Each reads the frame and the
// tracks and adds its results to the FrameOutcome; the pipeline runs them in the order given.

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "analytics/occupancy/occupancy_counter.h"
#include "core/clock.h"
#include "core/expected.h"
#include "pipeline/frame_outcome.h"

namespace fai {

struct AnalyzerFrame {
  const std::string& camera_id;
  const cv::Mat& image;  // 8-bit BGR, the frame the tracks were computed on
  SystemTime timestamp;
  int64_t frame_seq;                            // per camera, from 1
  const std::vector<int64_t>& ended_track_ids;  // tracks that ended this frame: drop their state
  // The camera's counting lines as the pipeline counts with them on this frame (null: not
  // known, e.g. offline tools). Lines are edited at runtime (PUT /api/cameras/{id}/lines), so an
  // analyzer that works with a named line reads its geometry here, frame by frame, instead of
  // keeping the start-up copy: it then changes on exactly the frame the occupancy counter does.
  const std::vector<CountingLine>* lines = nullptr;
};

// on_frame() is called for the frames of one camera in order, never twice at once for one
// camera; different cameras may call it concurrently, so per-camera state needs a lock (or a
// map guarded by one). An error fails only this analyzer's part of the frame: it is logged and
// counted, and the frame's other results still go out.
class FrameAnalyzer {
 public:
  virtual ~FrameAnalyzer() = default;
  virtual std::string name() const = 0;  // its stage name in /api/diagnostic's stage_ms
  virtual Status on_frame(const AnalyzerFrame& frame, FrameOutcome& out) = 0;
};

}  // namespace fai
