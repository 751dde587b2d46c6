#include "pipeline/analytics_config.h"

namespace fai {

TrackerConfig tracker_config(const TrackerSettings& s) {
  TrackerConfig c;
  c.high_score = s.high_score;
  c.low_score = s.low_score;
  c.new_track_score = s.new_track_score;
  c.lost_track_buffer_frames = s.lost_track_buffer_frames;
  c.frame_rate_fps = s.frame_rate_fps;
  return c;
}

OccupancyConfig occupancy_config(const OccupancySettings& s, const CameraConfig* camera) {
  OccupancyConfig c;
  c.min_frames_on_new_side = s.min_frames_on_new_side;
  c.counted_classes = s.counted_classes;
  if (camera == nullptr) return c;
  for (const LineConfig& l : camera->lines) {
    c.lines.push_back({l.id,
                       {l.x1, l.y1},
                       {l.x2, l.y2},
                       l.in_side == "left" ? LineSide::kLeft : LineSide::kRight,
                       l.infinite});
  }
  return c;
}

}  // namespace fai
