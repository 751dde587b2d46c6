#include "analytics/anpr/plate_reader.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <map>

#include <opencv2/imgproc.hpp>

#include "analytics/anpr/short_glyphs.h"
#include "analytics/anpr/tesseract_recognizer.h"

namespace fai {
namespace {

using Clock = std::chrono::steady_clock;

// Lower case is decoded so that an emblem or sticker the recogniser reads as one ("KMuBORAK")
// is not forced into a capital; normalize_plate() then drops it.
constexpr char kPlateGlyphs[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// Tesseract's whitelist: lower-case letters would only compete with their capitals.
constexpr char kUpperPlateGlyphs[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
// Decoded on the side only, so that a camera's time overlay can be told from a plate: as a
// competing glyph ':' cost eu plates 5 points (characters next to a separator got dropped).
constexpr char kOverlayPunctuation[] = ":";
constexpr float kFallbackBandFraction = 0.2f;  // the seed's "bottom 20 % of the box"
constexpr float kFormatBonus = 0.5f;           // a read that fits a preset beats a fragment
constexpr float kRefineMarginWidths = 0.1f;
constexpr float kRefineMarginHeights = 0.3f;
constexpr float kDigitBonus = 0.3f;  // nearly every plate has a digit; brand names do not
constexpr int kAgreeingViews = 2;    // see views_settled()
// Plate characters are the tallest text on a vehicle's rear; a phone number or a dealer's name
// read as confidently loses to a taller line (openalpr end to end: total 79.1 -> 80.3 %).
constexpr float kHeightBonus = 0.3f;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

cv::Rect to_rect(const Box& box, const cv::Mat& image) {
  const cv::Rect r(
      cv::Point(static_cast<int>(box.x1), static_cast<int>(box.y1)),
      cv::Point(static_cast<int>(std::ceil(box.x2)), static_cast<int>(std::ceil(box.y2))));
  return r & cv::Rect(0, 0, image.cols, image.rows);
}

Expected<const ModelInfo*> find_model(const ModelManifest& manifest, const std::string& name) {
  const ModelInfo* model = manifest.find(name);
  if (!model) {
    return make_error(ErrorCode::kNotFound,
                      "model \"" + name + "\" is not in " + manifest.models_dir + "/manifest.json");
  }
  return model;
}

// Measured here (2 shared cores): the PP-OCRv4 TorchScript files ran ~15x slower than OpenCV DNN
// (1.4 s vs 87 ms per plate read), so "auto" means OpenCV here unless `factoryai bench` chose
// otherwise.
Backend ocr_backend(const ModelInfo& model, Backend requested) {
  return resolve_backend(model, requested, Backend::kOpenCv);
}

float mean(const std::vector<float>& values) {
  float sum = 0;
  for (float v : values) sum += v;
  return values.empty() ? 0.0f : sum / static_cast<float>(values.size());
}

// Context around a scene text line for the plate-scale detector.
Box padded(const Box& line) {
  const float dx = line.width() * kRefineMarginWidths, dy = line.height() * kRefineMarginHeights;
  return {line.x1 - dx, line.y1 - dy, line.x2 + dx, line.y2 + dy};
}

// The recogniser reads a plate's grey levels better than its colours: a coloured sticker or
// emblem between character groups stops being read as a character, and JPEG's chroma noise goes
// (openalpr gt-box+det 84.8 -> 86.7 %, end to end 80.3 -> 82.7 %; see docs/decisions.md).
cv::Mat luminance_only(const cv::Mat& bgr) {
  cv::Mat grey, out;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(grey, out, cv::COLOR_GRAY2BGR);
  return out;
}

Box to_box(const cv::Rect& r) {
  return {static_cast<float>(r.x), static_cast<float>(r.y), static_cast<float>(r.br().x),
          static_cast<float>(r.br().y)};
}

Expected<std::unique_ptr<LineRecognizer>> open_recognizer(const std::string& engine,
                                                          const ModelInfo& ppocr_rec,
                                                          const InferenceConfig& inference) {
  if (engine == "tesseract") return TesseractRecognizer::open(kUpperPlateGlyphs);
  if (engine != "ppocr") {
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown plate engine " + engine + " (ppocr, tesseract)");
  }
  auto rec = TextRecognizer::open(ppocr_rec, ocr_backend(ppocr_rec, inference.backend),
                                  inference.threads, kPlateGlyphs, kOverlayPunctuation);
  if (!rec) return rec.error();
  return std::unique_ptr<LineRecognizer>(std::move(*rec));
}

}  // namespace

std::optional<PlateRead> consensus_read(const std::vector<PlateRead>& reads) {
  std::map<std::string, float> support;
  for (const PlateRead& read : reads) support[read.text] += read.confidence;
  const PlateRead* best = nullptr;
  for (const PlateRead& read : reads) {
    const float s = support[read.text];
    if (!best || s > support[best->text] ||
        (read.text == best->text && read.confidence > best->confidence)) {
      best = &read;
    }
  }
  if (!best) return std::nullopt;
  return *best;
}

float plate_merit(const PlateRead& read) {
  const bool has_digit = std::any_of(read.text.begin(), read.text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  return read.confidence + (read.format.empty() ? 0.0f : kFormatBonus) +
         (has_digit ? kDigitBonus : 0.0f);
}

std::optional<PlateRead> most_plate_like(const std::vector<PlateRead>& reads) {
  float tallest = 1;
  for (const PlateRead& r : reads) tallest = std::max(tallest, r.plate_box.height());
  auto merit = [&](const PlateRead& r) {
    return plate_merit(r) + kHeightBonus * r.plate_box.height() / tallest;
  };
  const PlateRead* best = nullptr;
  for (const PlateRead& r : reads) {
    if (!best || merit(r) > merit(*best)) best = &r;
  }
  if (!best) return std::nullopt;
  return *best;
}

bool views_settled(const std::vector<PlateRead>& reads, int min_agreeing) {
  std::map<std::string, int> count;
  for (const PlateRead& read : reads) {
    if (++count[read.text] >= min_agreeing) return true;
  }
  return false;
}

cv::Rect grown_box(const cv::Rect& box, const cv::Size2f& context, const cv::Rect& bounds) {
  const float dx = box.width * (context.width - 1) / 2, dy = box.height * (context.height - 1) / 2;
  const cv::Rect out(
      cv::Point(static_cast<int>(std::floor(box.x - dx)), static_cast<int>(std::floor(box.y - dy))),
      cv::Point(static_cast<int>(std::ceil(box.br().x + dx)),
                static_cast<int>(std::ceil(box.br().y + dy))));
  return out & bounds;
}

Expected<std::unique_ptr<PlateReader>> PlateReader::open(const InferenceConfig& inference,
                                                         const PlateReaderParams& params) {
  std::vector<PlateFormat> formats;
  for (const auto& name : params.formats) {
    auto format = find_format(name);
    if (!format) return make_error(ErrorCode::kInvalidArgument, "unknown plate format " + name);
    formats.push_back(*format);
  }
  auto manifest = load_manifest(inference.models_dir);
  if (!manifest) return manifest.error();
  auto scene_model = find_model(*manifest, "ppocr_det");
  auto plate_model = find_model(*manifest, "ppocr_det_plate");
  auto rec_model = find_model(*manifest, "ppocr_rec");
  for (const auto* m : {&scene_model, &plate_model, &rec_model}) {
    if (!*m) return m->error();
  }
  const int threads = inference.threads;
  auto scene = TextDetector::open(**scene_model, ocr_backend(**scene_model, inference.backend),
                                  threads, params.db);
  if (!scene) return scene.error();
  auto plate = TextDetector::open(**plate_model, ocr_backend(**plate_model, inference.backend),
                                  threads, params.db);
  if (!plate) return plate.error();
  std::vector<std::unique_ptr<LineRecognizer>> recognizers;
  for (const std::string& engine : params.engines) {
    auto rec = open_recognizer(engine, **rec_model, inference);
    if (!rec) return rec.error();
    recognizers.push_back(std::move(*rec));
  }
  if (recognizers.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "plate reader needs at least one engine");
  }
  return std::unique_ptr<PlateReader>(new PlateReader(
      std::move(*scene), std::move(*plate), std::move(recognizers), params, std::move(formats)));
}

Expected<double> PlateReader::read_with_all(const cv::Mat& colour_line, const Box& where,
                                            std::vector<PlateRead>& reads) {
  const auto start = Clock::now();
  const cv::Mat line = luminance_only(colour_line);
  for (const auto& recognizer : recognizers_) {
    auto read = read_line(*recognizer, line, where);
    if (!read) return read.error();
    if (*read) reads.push_back(std::move(**read));
  }
  return ms_since(start);
}

Expected<std::optional<PlateRead>> PlateReader::read_line(LineRecognizer& recognizer,
                                                          const cv::Mat& line, const Box& where) {
  const auto start = Clock::now();
  auto text = recognizer.recognize(line);
  if (!text) return text.error();
  *text = without_short_glyphs(line, std::move(*text), params_.short_glyphs);
  PlateRead read;
  read.rec_ms = ms_since(start);
  read.raw_text = text->text();
  read.plate_box = where;
  std::vector<PlateChar> chars = normalize_plate(text->glyphs, text->confidences);
  std::erase_if(chars,
                [&](const PlateChar& c) { return c.confidence < params_.min_char_confidence; });
  const auto match = match_formats(chars, formats_);
  if (match) chars = match->chars, read.format = match->format;
  read.text = plate_text(chars);
  for (const PlateChar& c : chars) read.char_confidences.push_back(c.confidence);
  read.confidence = mean(read.char_confidences);
  const bool accepted = match ? read.confidence >= params_.min_confidence
                              : read.confidence >= params_.unformatted_min_confidence &&
                                    static_cast<int>(chars.size()) >= params_.min_unformatted_chars;
  const bool overlay = looks_like_date(read.text) || looks_like_time(text->punctuated);
  if (chars.empty() || !accepted || overlay) return std::optional<PlateRead>();
  return std::optional<PlateRead>(std::move(read));
}

Expected<std::optional<TextBox>> PlateReader::find_line(const cv::Mat& bgr, const cv::Rect& plate,
                                                        const cv::Size2f& context) {
  auto boxes =
      plate_detector_->detect(bgr, grown_box(plate, context, cv::Rect(0, 0, bgr.cols, bgr.rows)));
  if (!boxes) return boxes.error();
  // Ranked against the plate box itself: lines centred in the added margin are not this plate.
  auto ranked = rank_plate_candidates(
      merge_line_fragments(std::move(*boxes), params_.line_merge_gap_heights), plate);
  if (ranked.empty()) return std::optional<TextBox>();
  return std::optional<TextBox>(ranked.front());
}

Expected<std::optional<PlateRead>> PlateReader::read_views(const cv::Mat& bgr,
                                                           const cv::Rect& plate) {
  std::vector<PlateRead> reads;
  double det_ms = 0, rec_ms = 0;
  bool read_whole_box = false;  // views without a line all read the box as given: once is enough
  for (const cv::Size2f& context : params_.refine_contexts) {
    auto start = Clock::now();
    auto line = find_line(bgr, plate, context);
    if (!line) return line.error();
    det_ms += ms_since(start);
    if (!*line && read_whole_box) continue;
    read_whole_box = read_whole_box || !*line;
    auto taken = *line ? read_with_all(rectify_text_box(bgr, **line), (*line)->bounds(), reads)
                       : read_with_all(bgr(plate).clone(), to_box(plate), reads);
    if (!taken) return taken.error();
    rec_ms += *taken;
    if (views_settled(reads, kAgreeingViews)) break;
  }
  auto best = consensus_read(reads);
  if (best) best->det_ms = det_ms, best->rec_ms = rec_ms;
  return best;
}

Expected<std::optional<PlateRead>> PlateReader::read_in_box(const cv::Mat& bgr,
                                                            const Box& plate_box, InBoxMode mode) {
  const cv::Rect rect = to_rect(plate_box, bgr);
  if (bgr.type() != CV_8UC3 || rect.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "plate box is empty or outside the image");
  }
  if (mode == InBoxMode::kRefine && !params_.refine_contexts.empty()) {
    return read_views(bgr, rect);
  }
  std::vector<PlateRead> reads;
  auto taken = read_with_all(bgr(rect).clone(), plate_box, reads);
  if (!taken) return taken.error();
  auto best = consensus_read(reads);
  if (best) best->rec_ms = *taken;
  return best;
}

Expected<std::optional<PlateRead>> PlateReader::read(const cv::Mat& bgr, const Box& vehicle_box) {
  const cv::Rect region = to_rect(vehicle_box, bgr);
  if (bgr.type() != CV_8UC3 || region.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "vehicle box is empty or outside the image");
  }
  const auto start = Clock::now();
  auto boxes = scene_detector_->detect(bgr, region);
  if (!boxes) return boxes.error();
  double det_ms = ms_since(start);
  auto candidates = rank_plate_candidates(
      merge_line_fragments(std::move(*boxes), params_.line_merge_gap_heights), region);
  if (candidates.empty()) {
    const float band = vehicle_box.height() * kFallbackBandFraction;
    return read_in_box(bgr,
                       {vehicle_box.x1, vehicle_box.y2 - band, vehicle_box.x2, vehicle_box.y2});
  }
  if (candidates.size() > static_cast<size_t>(params_.max_candidates)) {
    candidates.resize(params_.max_candidates);
  }
  std::vector<PlateRead> reads;
  double rec_ms = 0;
  for (const TextBox& candidate : candidates) {
    // The scene map is coarse (a whole frame in 640 px): find the line again at plate scale.
    auto read = read_in_box(bgr, padded(candidate.bounds()), InBoxMode::kRefine);
    if (!read) return read.error();
    if (*read) det_ms += (*read)->det_ms, rec_ms += (*read)->rec_ms, reads.push_back(**read);
  }
  auto best = most_plate_like(reads);
  if (best) best->det_ms = det_ms, best->rec_ms = rec_ms;
  return best;
}

}  // namespace fai
