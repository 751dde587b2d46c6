#include "output.h"

#include <cmath>

namespace fai::cli {

// Dividing by the power of ten (not multiplying by its inverse) lands on the shortest decimal.
static double round_to(double v, double per_unit) {
  return std::round(v * per_unit) / per_unit;
}

nlohmann::json detection_json(const Detection& d) {
  const auto& names = coco::class_names();
  const bool known = d.class_id >= 0 && d.class_id < static_cast<int>(names.size());
  return {{"class_id", d.class_id},
          {"class", known ? names[d.class_id] : "unknown"},
          {"score", round_to(d.score, 1e4)},
          {"box",
           {round_to(d.box.x1, 10), round_to(d.box.y1, 10), round_to(d.box.x2, 10),
            round_to(d.box.y2, 10)}}};
}

nlohmann::json detections_json(const std::vector<Detection>& dets) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : dets) out.push_back(detection_json(d));
  return out;
}

ClassCounts count_classes(const std::vector<Detection>& dets) {
  ClassCounts c;
  for (const auto& d : dets) {
    if (d.class_id == coco::kPerson) ++c.people;
    if (d.class_id == coco::kCar || d.class_id == coco::kMotorcycle || d.class_id == coco::kBus ||
        d.class_id == coco::kTruck) {
      ++c.vehicles;
    }
  }
  return c;
}

}  // namespace fai::cli
