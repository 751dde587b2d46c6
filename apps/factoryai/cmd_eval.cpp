// `factoryai eval detect DIR...`: detector accuracy on real data with ground truth.
// A folder with images/ and labels/ (YOLO format) gets per-class precision/recall at IoU 0.5;
// the classic darknet sample images get a check of the objects they are known to show.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "cli.h"
#include "cmd_eval_faces.h"
#include "cmd_eval_plates.h"
#include "cmd_eval_track.h"
#include "detect/detector.h"
#include "eval/detection_metrics.h"
#include "eval/yolo_labels.h"
#include "image/image_io.h"

namespace fai::cli {
namespace {

namespace fs = std::filesystem;

struct EvalDetectOptions {
  std::vector<std::string> dirs;
  float iou = 0.5f;
};

// What darknet's sample pictures show (the objects darknet's README reports for them).
const std::map<std::string, std::vector<int>>& darknet_expectations() {
  static const std::map<std::string, std::vector<int>> kExpected = {
      {"dog.jpg", {coco::kBicycle, 16 /*dog*/, coco::kTruck}},
      {"person.jpg", {coco::kPerson, 16 /*dog*/, 17 /*horse*/}},
      {"horses.jpg", {17 /*horse*/}},
      {"eagle.jpg", {14 /*bird*/}},
      {"giraffe.jpg", {23 /*giraffe*/, 22 /*zebra*/}},
  };
  return kExpected;
}

std::vector<std::string> images_under(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto ext = it->path().extension().string();
    if (it->is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png")) {
      out.push_back(it->path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void print_tally(const DetectionTally& tally, int images) {
  std::printf("%d images, IoU >= 0.5\n%-16s %6s %6s %6s %9s %7s\n", images, "class", "gt", "tp",
              "fp", "precision", "recall");
  for (const auto& [id, t] : tally.by_class()) {
    std::printf("%-16s %6d %6d %6d %9.3f %7.3f\n", coco::class_name(id).c_str(), t.ground_truth,
                t.true_positives, t.false_positives, t.precision(), t.recall());
  }
  const ClassTally all = tally.total();
  std::printf("%-16s %6d %6d %6d %9.3f %7.3f\n", "ALL", all.ground_truth, all.true_positives,
              all.false_positives, all.precision(), all.recall());
}

// Returns the number of darknet images whose known objects were not all found.
int check_darknet(Detector& detector, const std::vector<std::string>& images) {
  int misses = 0;
  for (const auto& path : images) {
    auto it = darknet_expectations().find(fs::path(path).filename().string());
    if (it == darknet_expectations().end()) continue;
    auto image = read_image(path);
    auto dets = image ? detector.detect(*image) : Expected<std::vector<Detection>>(image.error());
    if (!dets) return report(dets.error()), misses + 1;
    std::set<int> found;
    for (const auto& d : *dets) found.insert(d.class_id);
    std::string missing;
    for (int id : it->second) {
      if (!found.count(id)) missing += " " + coco::class_name(id);
    }
    std::string seen;
    for (int id : found) seen += " " + coco::class_name(id);
    std::printf("%-12s %s  found:%s%s\n", it->first.c_str(), missing.empty() ? "ok  " : "MISS",
                seen.c_str(), missing.empty() ? "" : ("  missing:" + missing).c_str());
    misses += missing.empty() ? 0 : 1;
  }
  return misses;
}

int eval_labelled(Detector& detector, const std::vector<std::string>& images, float iou_threshold) {
  DetectionTally tally(iou_threshold);
  int evaluated = 0;
  for (const auto& path : images) {
    const std::string label_path = yolo_label_path(path);
    if (!fs::exists(label_path)) continue;
    auto image = read_image(path);
    if (!image) return report(image.error());
    auto truth = parse_yolo_labels(read_text(label_path), image->cols, image->rows);
    if (!truth)
      return report(make_error(truth.error().code, label_path + ": " + truth.error().message));
    auto dets = detector.detect(*image);
    if (!dets) return report(dets.error());
    tally.add_image(*dets, *truth);
    ++evaluated;
  }
  if (evaluated > 0) print_tally(tally, evaluated);
  return 0;
}

int run_eval_detect(const GlobalOptions& options, const EvalDetectOptions& opt) {
  auto config = resolve_config(options);
  if (!config) return report(config.error());
  config->detector.classes.clear();  // accuracy is measured on every class the data labels
  auto detector = make_detector(config->detector, config->inference);
  if (!detector) return report(detector.error());
  int exit_code = 0;
  for (const auto& dir : opt.dirs) {
    if (!fs::is_directory(dir)) {
      exit_code = report(make_error(ErrorCode::kNotFound,
                                    "no such folder: " + dir + " (is ../shared/data present?)"));
      continue;
    }
    std::printf("== %s\n", dir.c_str());
    const auto images = images_under(dir);
    if (int rc = eval_labelled(**detector, images, opt.iou); rc != 0) exit_code = rc;
    if (check_darknet(**detector, images) > 0) exit_code = 1;
  }
  return exit_code;
}

}  // namespace

void add_eval_command(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  auto* eval = app.add_subcommand("eval", "Accuracy on real data with ground truth");
  eval->require_subcommand(1);
  auto opt = std::make_shared<EvalDetectOptions>();
  auto* detect = eval->add_subcommand(
      "detect", "Per-class precision/recall (YOLO labels) and darknet sample checks");
  detect->add_option("dirs", opt->dirs, "Folders, e.g. ../shared/data/images/coco8")->required();
  detect->add_option("--iou", opt->iou, "IoU for a match")->check(CLI::Range(0.05, 0.95));
  detect->callback([&options, &exit_code, opt] { exit_code = run_eval_detect(options, *opt); });
  add_eval_track_commands(*eval, options, exit_code);
  add_eval_faces_command(*eval, options, exit_code);
  add_eval_faces_sequence_command(*eval, options, exit_code);
  add_eval_plates_command(*eval, options, exit_code);
}

}  // namespace fai::cli
