#pragma once
// ANPR facade: locate the plate inside a vehicle box (PP-OCRv4 det), read it (PP-OCRv4 rec),
// normalise it and apply the country format presets. One plate per call; per-track consensus
// is PlateVote's job.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "analytics/anpr/plate_format.h"
#include "analytics/anpr/short_glyphs.h"
#include "analytics/anpr/text_detector.h"
#include "analytics/anpr/text_recognizer.h"
#include "config/config.h"
#include "core/expected.h"
#include "core/types.h"

namespace fai {

struct PlateReaderParams {
  std::vector<std::string> formats = {"in", "eu", "us"};  // presets tried in this order
  // Recognisers whose reads of every view join the vote: "ppocr" (PP-OCRv4 rec) and/or
  // "tesseract" (Debian's Tesseract 5, eng).
  std::vector<std::string> engines = {"ppocr"};
  float min_confidence = 0.5f;  // mean character confidence of a plate that fits a preset
  float unformatted_min_confidence = 0.9f;  // ... of a plate that fits none
  int min_unformatted_chars = 4;            // shorter unformatted reads are fragments, not plates
  // Characters read below this are dropped: on real plates they are emblems, stickers and
  // separators between character groups, which the recogniser reads as a weak 8, B or O.
  float min_char_confidence = 0.3f;
  // Weak characters on a short ink blob are such marks too, read a little surer (openalpr us
  // gt-box+det 85.1 -> 86.0 %: the Missouri plate UH1 N2A had been read "UH10N2A").
  ShortGlyphRule short_glyphs;
  int max_candidates = 4;               // text lines in a vehicle box that get an OCR call
  float line_merge_gap_heights = 1.0f;  // see merge_line_fragments(); negative = no merging
  // Views of a plate box for InBoxMode::kRefine: the plate-scale detector looks for the character
  // line in the box grown to each of these multiples of its width and height, and the views' reads
  // vote (consensus_read). A box that fills the detector's whole input loses its edge characters
  // to it; on openalpr us one view of 1.3 x 1.6 read 81.5 % of plates, the box alone 68 %, and the
  // vote of these three about 84 %.
  std::vector<cv::Size2f> refine_contexts = {{1.3f, 1.6f}, {1.4f, 1.8f}, {1.2f, 1.4f}};
  DbParams db;
};

struct PlateRead {
  std::string text;      // normalised and format-corrected, e.g. "KA01AB1234"
  std::string raw_text;  // what the recogniser read, before normalisation
  std::string format;    // preset that matched; empty when none did
  float confidence = 0;  // mean of char_confidences
  std::vector<float> char_confidences;
  Box plate_box;  // bounds of the text line read, source pixels
  double det_ms = 0, rec_ms = 0;
};

// How read_in_box() treats a given plate box.
enum class InBoxMode {
  kAsIs,    // read the box as given
  kRefine,  // find the characters' line inside it first (a US box also holds state name, slogan)
};

// One plate read from several views: the text whose reads have the largest summed confidence
// wins, and its most confident read stands for it. Empty input -> nullopt.
std::optional<PlateRead> consensus_read(const std::vector<PlateRead>& reads);

// How plate-like a read is, to pick among the text lines of one vehicle: confidence, plus a bonus
// for fitting a format preset and one for holding a digit (brand names and slogans do not).
float plate_merit(const PlateRead& read);

// Among reads of different text lines of one vehicle, the plate: plate_merit() plus a bonus for
// the line's height relative to the tallest line read. Empty input -> nullopt.
std::optional<PlateRead> most_plate_like(const std::vector<PlateRead>& reads);

// True once some text has been read from `min_agreeing` views: with three views, a third cannot
// outvote two agreeing ones.
bool views_settled(const std::vector<PlateRead>& reads, int min_agreeing);

// `box` grown around its centre to `context` times its width and height, clipped to `bounds`.
cv::Rect grown_box(const cv::Rect& box, const cv::Size2f& context, const cv::Rect& bounds);

// Loads ppocr_det, ppocr_det_plate and ppocr_rec from the manifest once; inference.backend "auto"
// means OpenCV DNN for them unless `factoryai bench` measured otherwise (see plate_reader.cpp).
// read* return nullopt (not an error) when nothing readable is there: no text line, or a read under
// the confidence threshold, or an unformatted fragment. Not thread-safe: one reader per worker.
class PlateReader {
 public:
  static Expected<std::unique_ptr<PlateReader>> open(const InferenceConfig& inference,
                                                     const PlateReaderParams& params);
  // Searches `vehicle_box` (clipped to the image; pass the whole image when there is no vehicle
  // detector) for plate-like text lines and returns the best read among the top candidates.
  // Falls back to the bottom 20 % of the box when the detector finds no candidate.
  Expected<std::optional<PlateRead>> read(const cv::Mat& bgr, const Box& vehicle_box);
  // Recognition on a known plate box.
  Expected<std::optional<PlateRead>> read_in_box(const cv::Mat& bgr, const Box& plate_box,
                                                 InBoxMode mode = InBoxMode::kRefine);

 private:
  PlateReader(std::unique_ptr<TextDetector> scene_detector,
              std::unique_ptr<TextDetector> plate_detector,
              std::vector<std::unique_ptr<LineRecognizer>> recognizers, PlateReaderParams params,
              std::vector<PlateFormat> formats)
      : scene_detector_(std::move(scene_detector)),
        plate_detector_(std::move(plate_detector)),
        recognizers_(std::move(recognizers)),
        params_(std::move(params)),
        formats_(std::move(formats)) {}
  Expected<std::optional<PlateRead>> read_line(LineRecognizer& recognizer, const cv::Mat& line,
                                               const Box& where);
  // Every recogniser's read of `line` appended to `reads`; returns the time it took.
  Expected<double> read_with_all(const cv::Mat& line, const Box& where,
                                 std::vector<PlateRead>& reads);
  // The best-ranked character line found in `plate` grown to `context`; nullopt when none.
  Expected<std::optional<TextBox>> find_line(const cv::Mat& bgr, const cv::Rect& plate,
                                             const cv::Size2f& context);
  Expected<std::optional<PlateRead>> read_views(const cv::Mat& bgr, const cv::Rect& plate);

  std::unique_ptr<TextDetector> scene_detector_;              // whole image or vehicle crop
  std::unique_ptr<TextDetector> plate_detector_;              // inside a plate box
  std::vector<std::unique_ptr<LineRecognizer>> recognizers_;  // at least one
  PlateReaderParams params_;
  std::vector<PlateFormat> formats_;
};

}  // namespace fai
