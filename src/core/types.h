#pragma once
// The types that flow through the pipeline: Frame -> Detection -> Track -> Event.
// One box convention everywhere: x1,y1,x2,y2 in source-image pixels; convert only at model edges.

#include <cstdint>
#include <string>
#include <vector>

namespace fai {

struct Box {
  float x1 = 0, y1 = 0, x2 = 0, y2 = 0;

  float width() const { return x2 > x1 ? x2 - x1 : 0.0f; }
  float height() const { return y2 > y1 ? y2 - y1 : 0.0f; }
  float area() const { return width() * height(); }
  float center_x() const { return 0.5f * (x1 + x2); }
  float center_y() const { return 0.5f * (y1 + y2); }
  bool operator==(const Box&) const = default;
};

struct Detection {
  Box box;
  float score = 0;
  int class_id = -1;  // COCO-80 index for the object detectors
};

enum class TrackState { kTentative, kTracked, kLost, kRemoved };

// A tracked object. Keeps the class and the index of this frame's detection, so nobody has to
// re-match tracks to detections by IoU afterwards.
struct Track {
  int64_t id = 0;
  Box box;  // the Kalman estimate, source pixels
  float score = 0;
  int class_id = -1;
  TrackState state = TrackState::kTentative;
  int det_index = -1;  // index into this frame's detections; -1 = coasting (no detection)
  int hits = 0;        // frames with a matched detection
  int64_t first_frame = 0;
  int64_t last_frame = 0;  // last frame with a matched detection
};

enum class CrossingDirection { kIn, kOut };

// A track's anchor changed sides of a counting line and stayed there long enough to count.
struct LineCrossing {
  std::string line_id;
  CrossingDirection direction = CrossingDirection::kIn;
  int class_id = -1;
};

// COCO-80 ids of the classes the factory pipeline cares about.
namespace coco {
inline constexpr int kPerson = 0;
inline constexpr int kBicycle = 1;
inline constexpr int kCar = 2;
inline constexpr int kMotorcycle = 3;
inline constexpr int kBus = 5;
inline constexpr int kTruck = 7;
const std::vector<std::string>& class_names();
// The COCO name of `class_id`, or "unknown" outside 0..79.
const std::string& class_name(int class_id);
// Car, motorcycle, bus or truck: what the vehicle counts and ANPR look at.
bool is_vehicle(int class_id);
}  // namespace coco

}  // namespace fai
