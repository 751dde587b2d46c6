#pragma once
// Keeps each camera's latest frame and what was seen on it, for GET /api/cameras/{id}/snapshot.
// on_frame() only keeps a reference to the decoded image (no copy, no drawing); the boxes, track
// ids, names, plates and counting lines are drawn and the JPEG encoded when someone asks.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "analytics/occupancy/occupancy_counter.h"
#include "pipeline/frame_analyzer.h"

namespace fai {

class SnapshotAnalyzer : public FrameAnalyzer {
 public:
  std::string name() const override { return "snapshot"; }
  Status on_frame(const AnalyzerFrame& frame, FrameOutcome& out) override;

  bool has_snapshot(const std::string& camera_id) const;
  // The latest frame of `camera_id` annotated with its tracks and `lines`, as JPEG bytes;
  // kNotFound before the camera's first frame.
  Expected<std::vector<unsigned char>> jpeg(const std::string& camera_id,
                                            const std::vector<CountingLine>& lines,
                                            int quality = 80) const;

 private:
  struct Label {
    Box box;
    int class_id = -1;
    std::string text;  // "#12", "#12 Alice", "#7 AB123CD"
    bool visible = true;
  };
  struct Latest {
    cv::Mat image;  // shares the pipeline's decoded frame, which nobody writes to afterwards
    std::vector<Label> labels;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Latest> latest_;
};

// Draws `lines` on `image` (in place): the line, its id, and an arrow pointing to the "in" side.
void draw_counting_lines(cv::Mat& image, const std::vector<CountingLine>& lines);

}  // namespace fai
