#pragma once
// Configuration of plate reading per vehicle track and of the vehicle lists (section anpr of the
// YAML file; config/example.yaml documents it).

#include <string>
#include <vector>

namespace fai {

struct AnprConfig {
  bool enabled = true;                                    // false: vehicles get no plate
  std::vector<std::string> formats = {"in", "eu", "us"};  // plate format presets, in order
  float min_confidence = 0.5f;                            // reads below this are no plate
  int max_ocr_frames = 4;                                 // OCR calls per vehicle track at most
  int max_edit_distance = 1;                              // list matching tolerates OCR slips
};

}  // namespace fai
