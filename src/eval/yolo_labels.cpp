#include "eval/yolo_labels.h"

#include <filesystem>
#include <sstream>

namespace fai {

Expected<std::vector<Detection>> parse_yolo_labels(const std::string& text, int image_width,
                                                   int image_height) {
  std::vector<Detection> out;
  std::istringstream lines(text);
  int line_no = 0;
  for (std::string line; std::getline(lines, line);) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream fields(line);
    int cls;
    float xc, yc, w, h;
    if (!(fields >> cls >> xc >> yc >> w >> h) || cls < 0) {
      return make_error(ErrorCode::kCorrupt, "label line " + std::to_string(line_no) +
                                                 " is not 'class xc yc w h': " + line);
    }
    out.push_back({{(xc - w / 2) * image_width, (yc - h / 2) * image_height,
                    (xc + w / 2) * image_width, (yc + h / 2) * image_height},
                   1.0f,
                   cls});
  }
  return out;
}

std::string yolo_label_path(const std::string& image_path) {
  std::string p = image_path;
  const auto pos = p.rfind("/images/");
  if (pos != std::string::npos) p.replace(pos, 8, "/labels/");
  return std::filesystem::path(p).replace_extension(".txt").string();
}

}  // namespace fai
