#include "output.h"

#include <cmath>

namespace fai::cli {

// Dividing by the power of ten (not multiplying by its inverse) lands on the shortest decimal.
static double round_to(double v, double per_unit) {
  return std::round(v * per_unit) / per_unit;
}

nlohmann::json detection_json(const Detection& d) {
  return {{"class_id", d.class_id},
          {"class", coco::class_name(d.class_id)},
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
    if (coco::is_vehicle(d.class_id)) ++c.vehicles;
  }
  return c;
}

}  // namespace fai::cli
