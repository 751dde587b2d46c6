#pragma once
// JSON shapes the CLI prints: one convention for detections everywhere.

#include <vector>

#include <nlohmann/json.hpp>

#include "core/types.h"

namespace fai::cli {

// {"class_id": 2, "class": "car", "score": 0.87, "box": [x1, y1, x2, y2]}, boxes in source pixels.
nlohmann::json detection_json(const Detection& d);
nlohmann::json detections_json(const std::vector<Detection>& dets);

struct ClassCounts {
  int people = 0;
  int vehicles = 0;  // car, motorcycle, bus, truck
};
ClassCounts count_classes(const std::vector<Detection>& dets);

}  // namespace fai::cli
