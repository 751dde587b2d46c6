// `factoryai eval plates DIR`: exact-plate and character accuracy of the ANPR reader, four ways:
// on the ground-truth box as given, on the ground-truth box with the text line found inside it
// first, end to end as the pipeline reads (vehicle detector, then the reader in the box of each
// vehicle the labelled plate is on)
// and on the whole image without a vehicle detector. The openalpr labels mix O/0 and I/1, so a
// column also counts those as equal.

#include "cmd_eval_plates.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include "analytics/anpr/plate_reader.h"
#include "detect/detector.h"

#include "image/image_io.h"

namespace fai::cli {
namespace {

namespace fs = std::filesystem;

struct EvalPlatesOptions {
  std::string dir;
  std::vector<std::string> formats;  // empty = the preset named like the subset (eu, us)
  std::string subset;                // empty = every subset
  int limit = 0;                     // 0 = every image
  bool verbose = false;
  std::string dump_dir;  // misread plates' ground-truth crops go here (PNG), for inspection
  std::vector<std::string> modes;  // mode names to run; empty = all
  std::vector<std::string> engines = {"ppocr"};
};

struct PlateTruth {
  std::string subset, image, text;
  Box box;
};

enum class Mode { kGtBox, kGtBoxRefined, kEndToEnd, kWholeImage };
constexpr Mode kModes[] = {Mode::kGtBox, Mode::kGtBoxRefined, Mode::kEndToEnd, Mode::kWholeImage};

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::kGtBox:
      return "gt-box";
    case Mode::kGtBoxRefined:
      return "gt-box+det";
    case Mode::kEndToEnd:
      return "end-to-end";
    case Mode::kWholeImage:
      return "whole-image";
  }
  return "?";
}

struct Tally {
  int plates = 0, exact = 0, exact_lookalike = 0;
  double char_accuracy = 0, ms = 0;
  void add(const std::string& truth, const std::string& read, double ms_taken);
};

struct Scores {
  std::map<std::pair<Mode, std::string>, Tally> tallies;   // (mode, subset or "total")
  std::map<std::pair<Mode, std::string>, int> confusions;  // (mode, "truth->read")
};

Expected<std::vector<PlateTruth>> load_truth(const std::string& dir) {
  std::ifstream in(dir + "/ground_truth.csv");
  if (!in) return make_error(ErrorCode::kNotFound, "no ground_truth.csv in " + dir);
  std::vector<PlateTruth> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    PlateTruth t;
    std::string x, y, w, h;
    if (!std::getline(ss, t.subset, ',') || !std::getline(ss, t.image, ',') ||
        !std::getline(ss, x, ',') || !std::getline(ss, y, ',') || !std::getline(ss, w, ',') ||
        !std::getline(ss, h, ',') || !std::getline(ss, t.text)) {
      return make_error(ErrorCode::kCorrupt, "bad ground_truth.csv line: " + line);
    }
    t.box = {std::stof(x), std::stof(y), std::stof(x) + std::stof(w), std::stof(y) + std::stof(h)};
    out.push_back(std::move(t));
  }
  return out;
}

// The labels themselves write O for 0 and I for 1 on some plates.
std::string fold_lookalikes(std::string s) {
  for (char& c : s) c = c == 'O' ? '0' : c == 'I' ? '1' : c;
  return s;
}

// Levenshtein table between a and b; [i][j] = distance of a[0..i) and b[0..j).
std::vector<std::vector<int>> edit_table(const std::string& a, const std::string& b) {
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
    }
  }
  return d;
}

// Character errors as "truth->read" pairs ('_' = missing or extra character).
std::vector<std::string> char_errors(const std::string& truth, const std::string& read) {
  const auto d = edit_table(truth, read);
  std::vector<std::string> out;
  size_t i = truth.size(), j = read.size();
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && d[i][j] == d[i - 1][j - 1] + (truth[i - 1] != read[j - 1])) {
      if (truth[i - 1] != read[j - 1]) out.push_back({truth[i - 1], '-', '>', read[j - 1]});
      --i, --j;
    } else if (i > 0 && d[i][j] == d[i - 1][j] + 1) {
      out.push_back({truth[--i], '-', '>', '_'});
    } else {
      out.push_back({'_', '-', '>', read[--j]});
    }
  }
  return out;
}

void Tally::add(const std::string& truth, const std::string& read, double ms_taken) {
  ++plates;
  exact += truth == read;
  exact_lookalike += fold_lookalikes(truth) == fold_lookalikes(read);
  const int distance = edit_table(truth, read)[truth.size()][read.size()];
  char_accuracy +=
      std::max(0.0, 1.0 - static_cast<double>(distance) / std::max<size_t>(truth.size(), 1));
  ms += ms_taken;
}

Box whole(const cv::Mat& image) {
  return {0, 0, static_cast<float>(image.cols), static_cast<float>(image.rows)};
}

bool holds(const Box& vehicle, const Box& plate) {
  const float x = plate.center_x(), y = plate.center_y();
  return x >= vehicle.x1 && x <= vehicle.x2 && y >= vehicle.y1 && y <= vehicle.y2;
}

// The pipeline's way: the reader in the box of each vehicle the labelled plate is on (the server
// reads every vehicle track on its own, so another car's plate in the photo is that car's read,
// not this one's), the most plate-like read wins; then the whole image when no such box gave a
// read (a still photo has no track to try again on). Detection time counts into the plate's time.
Expected<std::optional<PlateRead>> read_in_vehicles(PlateReader& reader, Detector& detector,
                                                    const cv::Mat& image, const Box& plate) {
  const auto start = std::chrono::steady_clock::now();
  auto detections = detector.detect(image);
  if (!detections) return detections.error();
  const double detect_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::vector<Box> boxes;
  for (const Detection& d : *detections) {
    if (coco::is_vehicle(d.class_id) && holds(d.box, plate)) boxes.push_back(d.box);
  }
  std::optional<PlateRead> best;
  double ms = detect_ms;
  auto read_boxes = [&](const std::vector<Box>& where) -> Status {
    for (const Box& box : where) {
      auto read = reader.read(image, box);
      if (!read) return read.error();
      if (!*read) continue;
      ms += (*read)->det_ms + (*read)->rec_ms;
      if (!best || plate_merit(**read) > plate_merit(*best)) best = std::move(*read);
    }
    return {};
  };
  if (Status s = read_boxes(boxes); !s) return s.error();
  if (!best) {
    if (Status s = read_boxes({whole(image)}); !s) return s.error();
  }
  if (best) best->det_ms = ms, best->rec_ms = 0;
  return best;
}

Expected<std::optional<PlateRead>> read_plate(PlateReader& reader, Detector& detector,
                                              const cv::Mat& image, const PlateTruth& truth,
                                              Mode mode) {
  switch (mode) {
    case Mode::kGtBox:
      return reader.read_in_box(image, truth.box, InBoxMode::kAsIs);
    case Mode::kGtBoxRefined:
      return reader.read_in_box(image, truth.box, InBoxMode::kRefine);
    case Mode::kEndToEnd:
      return read_in_vehicles(reader, detector, image, truth.box);
    case Mode::kWholeImage:
      return reader.read(image, whole(image));
  }
  return std::optional<PlateRead>();
}

void print_misread(Mode mode, const PlateTruth& truth, const std::optional<PlateRead>& read) {
  std::string confidences;
  for (float c : read ? read->char_confidences : std::vector<float>()) {
    confidences += " " + std::to_string(static_cast<int>(c * 100));
  }
  std::printf("%-11s %-28s truth %-10s read %-10s raw \"%s\" conf%%%s\n", mode_name(mode),
              truth.image.c_str(), truth.text.c_str(), read ? read->text.c_str() : "",
              read ? read->raw_text.c_str() : "", confidences.c_str());
}

// The ground-truth box with a margin, scaled up 3x, named after the image, mode and the read.
void dump_crop(const std::string& dump_dir, const cv::Mat& image, const PlateTruth& truth,
               Mode mode, const std::string& read) {
  const float mx = truth.box.width() * 0.2f, my = truth.box.height() * 0.4f;
  const cv::Rect r =
      cv::Rect(
          cv::Point(static_cast<int>(truth.box.x1 - mx), static_cast<int>(truth.box.y1 - my)),
          cv::Point(static_cast<int>(truth.box.x2 + mx), static_cast<int>(truth.box.y2 + my))) &
      cv::Rect(0, 0, image.cols, image.rows);
  if (r.empty()) return;
  cv::Mat big;
  cv::resize(image(r), big, cv::Size(), 3, 3, cv::INTER_CUBIC);
  std::string name = fs::path(truth.image).stem().string() + "_" + mode_name(mode) + "_" +
                     truth.text + "_" + (read.empty() ? "none" : read) + ".png";
  std::replace(name.begin(), name.end(), '+', '_');
  cv::imwrite(dump_dir + "/" + name, big);
}

bool wanted(Mode mode, const std::vector<std::string>& modes) {
  return modes.empty() || std::find(modes.begin(), modes.end(), mode_name(mode)) != modes.end();
}

Status score_image(PlateReader& reader, Detector& detector, const std::string& dir,
                   const PlateTruth& truth, const EvalPlatesOptions& opt, Scores& scores) {
  auto image = read_image(dir + "/" + truth.image);
  if (!image) return image.error();
  for (Mode mode : kModes) {
    if (!wanted(mode, opt.modes)) continue;
    auto read = read_plate(reader, detector, *image, truth, mode);
    if (!read) return read.error();
    const std::string text = *read ? (*read)->text : "";
    const double ms = *read ? (*read)->det_ms + (*read)->rec_ms : 0.0;
    for (const std::string& group : {truth.subset, std::string("total")}) {
      scores.tallies[{mode, group}].add(truth.text, text, ms);
    }
    for (const auto& e : char_errors(truth.text, text)) ++scores.confusions[{mode, e}];
    if (opt.verbose && text != truth.text) print_misread(mode, truth, *read);
    if (!opt.dump_dir.empty() && text != truth.text) {
      dump_crop(opt.dump_dir, *image, truth, mode, text);
    }
  }
  return {};
}

void print_scores(const Scores& scores) {
  std::printf("%-11s %-6s %5s %8s %13s %9s %9s\n", "mode", "subset", "n", "exact", "exact(O=0,I=1)",
              "char_acc", "ms/plate");
  for (const auto& [key, t] : scores.tallies) {
    const double n = std::max(t.plates, 1);
    std::printf("%-11s %-6s %5d %7.1f%% %13.1f%% %8.1f%% %9.1f\n", mode_name(key.first),
                key.second.c_str(), t.plates, 100.0 * t.exact / n, 100.0 * t.exact_lookalike / n,
                100.0 * t.char_accuracy / n, t.ms / n);
  }
  for (Mode mode : kModes) {
    if (!scores.tallies.contains({mode, "total"})) continue;
    std::vector<std::pair<int, std::string>> top;
    for (const auto& [key, count] : scores.confusions) {
      if (key.first == mode) top.emplace_back(count, key.second);
    }
    std::sort(top.rbegin(), top.rend());
    std::printf("top confusions %-11s (truth->read, _ = none):", mode_name(mode));
    for (size_t i = 0; i < std::min<size_t>(top.size(), 12); ++i) {
      std::printf(" %s x%d", top[i].second.c_str(), top[i].first);
    }
    std::printf("\n");
  }
}

// A deployment configures its country's presets; the benchmark's subsets are countries.
Expected<PlateReader*> reader_for(const std::string& subset, const InferenceConfig& inference,
                                  const EvalPlatesOptions& opt,
                                  std::map<std::string, std::unique_ptr<PlateReader>>& readers) {
  auto& reader = readers[subset];
  if (reader) return reader.get();
  PlateReaderParams params;
  params.engines = opt.engines;
  if (!opt.formats.empty()) {
    params.formats = opt.formats;
  } else if (find_format(subset)) {
    params.formats = {subset};
  }
  auto opened = PlateReader::open(inference, params);
  if (!opened) return opened.error();
  reader = std::move(*opened);
  return reader.get();
}

int run_eval_plates(const GlobalOptions& options, const EvalPlatesOptions& opt) {
  auto config = resolve_config(options);
  if (!config) return report(config.error());
  auto truth = load_truth(opt.dir);
  if (!truth) return report(truth.error());
  auto detector = make_detector(config->detector, config->inference);
  if (!detector) return report(detector.error());
  std::map<std::string, std::unique_ptr<PlateReader>> readers;
  Scores scores;
  int done = 0;
  for (const PlateTruth& t : *truth) {
    if (!opt.subset.empty() && t.subset != opt.subset) continue;
    if (opt.limit > 0 && done++ >= opt.limit) break;
    auto reader = reader_for(t.subset, config->inference, opt, readers);
    if (!reader) return report(reader.error());
    if (Status s = score_image(**reader, **detector, opt.dir, t, opt, scores); !s) {
      return report(s.error());
    }
  }
  print_scores(scores);
  return 0;
}

}  // namespace

void add_eval_plates_command(CLI::App& eval, const GlobalOptions& options, int& exit_code) {
  auto opt = std::make_shared<EvalPlatesOptions>();
  auto* plates = eval.add_subcommand(
      "plates", "Plate reading accuracy on ground_truth.csv (subset,image,x,y,w,h,plate)");
  plates->add_option("dir", opt->dir, "Folder, e.g. ../shared/data/plates/openalpr")->required();
  plates
      ->add_option("--formats", opt->formats,
                   "Plate format presets in order (in, eu, us); default: the subset's own")
      ->delimiter(',');
  plates->add_option("--subset", opt->subset, "Evaluate only this subset (eu, us)");
  plates->add_option("--limit", opt->limit, "Evaluate only the first N plates");
  plates
      ->add_option("--modes", opt->modes,
                   "Modes to run (gt-box, gt-box+det, end-to-end, whole-image); default: all")
      ->delimiter(',')
      ->check(CLI::IsMember({"gt-box", "gt-box+det", "end-to-end", "whole-image"}));
  plates
      ->add_option("--engines", opt->engines,
                   "Recognisers whose reads vote (ppocr, tesseract); default: ppocr")
      ->delimiter(',')
      ->check(CLI::IsMember({"ppocr", "tesseract"}));
  plates->add_flag("--verbose", opt->verbose, "Print every misread");
  plates->add_option("--dump-dir", opt->dump_dir,
                     "Write each misread plate's ground-truth crop (3x, PNG) into this folder");
  plates->callback([&options, &exit_code, opt] { exit_code = run_eval_plates(options, *opt); });
}

}  // namespace fai::cli
