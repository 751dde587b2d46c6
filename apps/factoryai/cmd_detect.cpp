// `factoryai detect IMAGE...`: detections per image as one JSON document.

#include <iostream>
#include <memory>

#include "cli.h"
#include "detect/detector.h"
#include "image/image_io.h"
#include "output.h"

namespace fai::cli {
namespace {

struct DetectOptions {
  std::vector<std::string> images;
  bool all_classes = false;
};

int run_detect(const GlobalOptions& options, const DetectOptions& opt) {
  auto config = resolve_config(options);
  if (!config) return report(config.error());
  if (opt.all_classes) config->detector.classes.clear();
  auto detector = make_detector(config->detector, config->inference);
  if (!detector) return report(detector.error());
  nlohmann::json results = nlohmann::json::array();
  int exit_code = 0;
  for (const auto& path : opt.images) {
    auto image = read_image(path);
    auto dets =
        image ? (*detector)->detect(*image) : Expected<std::vector<Detection>>(image.error());
    if (!dets) {
      exit_code = report(dets.error());
      results.push_back({{"image", path}, {"error", dets.error().message}});
      continue;
    }
    const DetectTiming t = (*detector)->last_timing();
    results.push_back({{"image", path},
                       {"width", image->cols},
                       {"height", image->rows},
                       {"detections", detections_json(*dets)},
                       {"ms",
                        {{"preprocess", t.preprocess_ms},
                         {"forward", t.forward_ms},
                         {"postprocess", t.postprocess_ms}}}});
  }
  std::cout << results.dump(2) << "\n";
  return exit_code;
}

}  // namespace

void add_detect_command(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  auto opt = std::make_shared<DetectOptions>();
  auto* cmd = app.add_subcommand("detect", "Detect people and vehicles in images; prints JSON");
  cmd->add_option("images", opt->images, "Image files")->required();
  cmd->add_flag("--all-classes", opt->all_classes,
                "Keep every COCO class, not only the configured ones");
  cmd->callback([&options, &exit_code, opt] { exit_code = run_detect(options, *opt); });
}

}  // namespace fai::cli
