#include "config/section_readers.h"

namespace fai::config_detail {

void read_anpr(MapReader&& r, AnprConfig& c) {
  r.field("enabled", c.enabled)
      .field("formats", c.formats)
      .field("min_confidence", c.min_confidence)
      .field("max_ocr_frames", c.max_ocr_frames)
      .field("max_edit_distance", c.max_edit_distance)
      .finish();
}

void validate_anpr(const AnprConfig& c, std::vector<std::string>& problems) {
  for (const auto& f : c.formats) {
    if (f != "in" && f != "eu" && f != "us") {
      problems.push_back("anpr.formats: '" + f + "' is not one of in, eu, us");
    }
  }
  if (c.min_confidence < 0 || c.min_confidence > 1) {
    problems.push_back("anpr.min_confidence: not in 0..1");
  }
  if (c.max_ocr_frames < 1) problems.push_back("anpr.max_ocr_frames: at least 1");
  if (c.max_edit_distance < 0 || c.max_edit_distance > 3) {
    problems.push_back("anpr.max_edit_distance: in 0..3");
  }
}

}  // namespace fai::config_detail
