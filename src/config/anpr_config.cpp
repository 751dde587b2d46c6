#include "config/section_readers.h"

namespace fai::config_detail {

void read_anpr(MapReader&& r, AnprConfig& c) {
  r.field("enabled", c.enabled)
      .field("formats", c.formats)
      .field("min_confidence", c.min_confidence)
      .field("max_ocr_frames", c.max_ocr_frames)
      .field("max_edit_distance", c.max_edit_distance)
      .field("ocr_window_frames", c.ocr_window_frames)
      .field("min_vehicle_height_px", c.min_vehicle_height_px)
      .field("min_sharpness", c.min_sharpness)
      .field("min_agreeing_reads", c.min_agreeing_reads)
      .field("min_track_frames", c.min_track_frames)
      .field("gate_lines", c.gate_lines)
      .field("engines", c.engines)
      .field("max_visit_hours", c.max_visit_hours)
      .field("alert_unknown", c.alert_unknown)
      .field("list_refresh_s", c.list_refresh_s)
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
  if (c.ocr_window_frames < 1) problems.push_back("anpr.ocr_window_frames: at least 1");
  if (c.min_vehicle_height_px < 8) problems.push_back("anpr.min_vehicle_height_px: at least 8");
  if (c.min_sharpness < 0) problems.push_back("anpr.min_sharpness: not negative");
  if (c.min_agreeing_reads < 1) problems.push_back("anpr.min_agreeing_reads: at least 1");
  if (c.min_track_frames < 1) problems.push_back("anpr.min_track_frames: at least 1");
  if (c.list_refresh_s < 1) problems.push_back("anpr.list_refresh_s: at least 1");
  if (c.max_visit_hours < 1) problems.push_back("anpr.max_visit_hours: at least 1");
  if (c.engines.empty()) problems.push_back("anpr.engines: at least one of ppocr, tesseract");
  for (const auto& e : c.engines) {
    if (e != "ppocr" && e != "tesseract") {
      problems.push_back("anpr.engines: unknown engine '" + e + "' (ppocr, tesseract)");
    }
  }
  for (const auto& g : c.gate_lines) {
    const auto slash = g.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == g.size()) {
      problems.push_back("anpr.gate_lines: '" + g + "' is not camera/line");
    }
  }
}

}  // namespace fai::config_detail
