#pragma once
// Configuration of plate reading per vehicle track and of the vehicle lists (section anpr of the
// YAML file; config/example.yaml documents it).

#include <string>
#include <vector>

namespace fai {

struct AnprConfig {
  bool enabled = true;                                    // false: vehicles get no plate
  std::vector<std::string> formats = {"in", "eu", "us"};  // plate format presets, in order
  // Recognisers whose reads vote: "ppocr" (PP-OCRv4 rec) and/or "tesseract" (Debian's Tesseract;
  // measured on openalpr far weaker: 17.6 % exact alone, and it lowers the vote, 84.8 -> 82.4 %).
  std::vector<std::string> engines = {"ppocr"};
  float min_confidence = 0.5f;  // reads below this are no plate
  int max_ocr_frames = 4;       // OCR calls per vehicle track at most
  int max_edit_distance = 1;    // list matching tolerates OCR slips (look-alikes cost half)
  // Frame selection: of every `ocr_window_frames` frames of a track, only the best one (box area
  // x sharpness) gets an OCR call; vehicle boxes lower than min_vehicle_height_px get none.
  int ocr_window_frames = 5;
  int min_vehicle_height_px = 64;
  // Laplacian variance of the lower half of the vehicle crop under which the frame is too blurred
  // to read (motion blur, focus); such frames get no OCR call.
  float min_sharpness = 10.0f;
  int min_agreeing_reads = 2;  // identical reads that settle the plate before the track ends
  int min_track_frames = 3;    // a track seen fewer frames than this is no visit (a flicker)
  // "camera/line": crossing that camera's line inwards is the entry, outwards the exit. Cameras
  // without one log a visit from the track's first to its last frame.
  std::vector<std::string> gate_lines;
  // A gate entry open longer than this is not paired with an exit (a missed exit must not pair
  // with the same plate days later) and is closed as "expired" at the next start-up.
  int max_visit_hours = 24;
  bool alert_unknown = true;  // an unknown plate raises an alert (a blacklisted one always does)
  int list_refresh_s = 10;    // the lists are re-read this often (and at once after an API edit)
};

}  // namespace fai
