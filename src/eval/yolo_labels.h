#pragma once
// Ground truth in YOLO txt format: one "class x_center y_center width height" line per object,
// normalised to 0..1.

#include <string>
#include <vector>

#include "core/expected.h"
#include "core/types.h"

namespace fai {

Expected<std::vector<Detection>> parse_yolo_labels(const std::string& text, int image_width,
                                                   int image_height);
// .../images/<split>/name.jpg -> .../labels/<split>/name.txt (the Ultralytics convention).
std::string yolo_label_path(const std::string& image_path);

}  // namespace fai
