#pragma once
// ByteTrack (Zhang et al., ECCV 2022): multi-object tracking by associating every detection box,
// the low-score ones too. High-score boxes are matched first to tracked and lost tracks; low-score
// boxes then keep still-unmatched tracked tracks alive through partial occlusion.

#include <cstdint>
#include <utility>
#include <vector>

#include "core/types.h"
#include "track/kalman_filter.h"

namespace fai {

struct TrackerConfig {
  float high_score = 0.5f;       // score >= this: first association, may start a track
  float low_score = 0.1f;        // low_score <= score < high_score: second association only
  float new_track_score = 0.6f;  // an unmatched high-score box starts a track at >= this
  // Match costs are 1 - IoU (times the detection score in the first and unconfirmed stages,
  // ByteTrack's score fusion); a pair costing more than the limit never matches.
  float first_match_max_cost = 0.8f;
  float second_match_max_cost = 0.5f;
  float unconfirmed_match_max_cost = 0.7f;
  int lost_track_buffer_frames = 30;  // at 30 fps; scaled by frame_rate_fps / 30 like ByteTrack
  float frame_rate_fps = 30.0f;
  float duplicate_iou = 0.85f;  // a tracked and a lost track this similar are one object
  // Classes in one group may match each other (a car seen as a truck); any class not listed is
  // its own group, so a person never matches a vehicle.
  std::vector<std::vector<int>> class_groups = {{coco::kCar, coco::kBus, coco::kTruck}};
  KalmanNoise kalman_noise;
};

// Frames a lost track is kept before it is removed: lost_track_buffer_frames * fps / 30.
int lost_track_max_frames(const TrackerConfig& config);

// One tracker per camera stream. update() takes one frame's detections (boxes in source pixels;
// boxes without area are ignored) and returns the tracked, confirmed tracks by ascending id, each
// with det_index into `dets` and the class its boxes voted for, weighted by score. Requires
// frame_seq to increase from call to call (a gap = frames skipped). Ids start at 1, are never
// reused and are given at confirmation (second matched frame, or any box of the first update).
// Not thread-safe: one caller at a time.
class Tracker {
 public:
  explicit Tracker(const TrackerConfig& config = {});
  std::vector<Track> update(const std::vector<Detection>& dets, int64_t frame_seq);
  // Ids of confirmed tracks removed by the last update(): run on_track_end(id) for each.
  const std::vector<int64_t>& ended_track_ids() const { return ended_track_ids_; }

 private:
  struct Entry {
    Track track;  // id 0 until confirmed
    KalmanState kalman;
    std::vector<std::pair<int, float>> score_by_class;  // summed detection scores: the class vote
  };
  std::vector<int> tracks_in(TrackState state) const;
  void predict_all();
  // Matches tracks to detections; on return both lists keep only the unmatched ones.
  void associate(std::vector<int>& track_indices, std::vector<int>& det_indices,
                 const std::vector<Detection>& dets, float max_cost, bool fuse_score,
                 int64_t frame_seq);
  void apply_detection(Entry& entry, const std::vector<Detection>& dets, int det_index,
                       int64_t frame_seq);
  void start_tracks(const std::vector<int>& det_indices, const std::vector<Detection>& dets,
                    int64_t frame_seq);
  void remove(Entry& entry);
  void remove_stale(int64_t frame_seq);
  void remove_duplicates();
  std::vector<Track> active_tracks() const;
  bool same_class_group(int a, int b) const;

  TrackerConfig config_;
  BoxKalmanFilter kalman_;
  std::vector<Entry> tracks_;
  std::vector<int64_t> ended_track_ids_;
  int64_t next_id_ = 1;
  int64_t last_frame_seq_ = 0;
  bool first_update_ = true;
};

}  // namespace fai
