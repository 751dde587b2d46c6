#pragma once
// Multi-object tracking accuracy in the MOTChallenge way: CLEAR-MOT (MOTA, ID switches) with
// per-frame matching that keeps last frame's pairs, and IDF1 from one global matching of
// ground-truth ids to predicted ids. Pure math on core types, golden-tested.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/expected.h"
#include "core/types.h"

namespace fai {

struct MotObject {
  int64_t id = 0;
  Box box;
};

// Frame number (as written in the file) -> objects.
using MotFrames = std::map<int64_t, std::vector<MotObject>>;

// MOTChallenge text: "frame,id,left,top,width,height[,conf,...]" per line. A conf of exactly 0
// marks a box MOT16+ does not evaluate: skipped. Malformed lines -> kCorrupt naming
// the line number.
Expected<MotFrames> parse_mot_boxes(const std::string& text);

struct MotMetrics {
  int64_t ground_truth = 0;  // ground-truth boxes
  int64_t predictions = 0;   // predicted boxes
  int64_t matches = 0;
  int64_t false_positives = 0;
  int64_t false_negatives = 0;
  int64_t id_switches = 0;
  double matched_iou_sum = 0;
  int64_t id_true_positives = 0;  // boxes on the globally matched id pairs

  double mota() const;
  double mean_match_iou() const;
  double idf1() const;
  double precision() const;
  double recall() const;
};

// Feed frames in order; each frame's ids must be unique within the frame. A pair matches at
// IoU >= iou_threshold. A ground-truth object matched last time keeps its predicted id while they
// still overlap enough; the rest are matched by maximum cardinality, then least 1 - IoU. A
// switch is a ground-truth id matched to a different predicted id than the last time it matched.
class MotAccumulator {
 public:
  explicit MotAccumulator(float iou_threshold = 0.5f) : iou_threshold_(iou_threshold) {}
  void add_frame(const std::vector<MotObject>& truth, const std::vector<MotObject>& predicted);
  MotMetrics summary() const;

 private:
  float iou_threshold_;
  MotMetrics clear_;
  std::map<int64_t, int64_t> last_match_;  // ground-truth id -> predicted id
  // Frames in which a (ground-truth id, predicted id) pair overlapped enough: IDF1's evidence.
  std::map<std::pair<int64_t, int64_t>, int64_t> frames_overlapping_;
};

}  // namespace fai
