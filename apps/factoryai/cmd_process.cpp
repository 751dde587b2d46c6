// `factoryai process INPUT`: runs the pipeline over an image, a folder, a video or a stream and
// prints one JSON line per frame. Progress goes to stderr: a bar for finite inputs, frames/s
// for streams.

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "cli.h"
#include "core/clock.h"
#include "detect/detector.h"
#include "output.h"
#include "source/frame_source.h"

namespace fai::cli {
namespace {

struct ProcessOptions {
  std::string input;
  std::string camera = "cam0";
  int64_t max_frames = -1;
  int max_reconnects = -1;
  bool progress = isatty(STDERR_FILENO) != 0;
};

volatile std::sig_atomic_t g_stop = 0;
void request_stop(int) {
  g_stop = 1;
}

// Redraws one stderr line: a bar when the total is known, frames/s otherwise.
class Progress {
 public:
  Progress(std::optional<int64_t> total, bool enabled) : total_(total), enabled_(enabled) {}

  void tick(int64_t done) {
    const auto now = std::chrono::steady_clock::now();
    if (!enabled_ || now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double fps = secs > 0 ? done / secs : 0;
    if (total_ && *total_ > 0) {
      const int width = 30;
      const int filled = static_cast<int>(width * done / *total_);
      std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, '.') << "] "
                << done << "/" << *total_;
    } else {
      std::cerr << "\r" << done << " frames";
    }
    std::fprintf(stderr, "  %.1f frames/s ", fps);
  }
  void finish(int64_t done) {
    last_draw_ = {};
    tick(done);
    if (enabled_) std::cerr << "\n";
  }

 private:
  std::optional<int64_t> total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

nlohmann::json frame_json(const Frame& frame, const std::vector<Detection>& dets,
                          const DetectTiming& t, double total_ms) {
  const ClassCounts counts = count_classes(dets);
  return {{"camera_id", frame.camera},
          {"frame", frame.seq},
          {"timestamp", iso8601_utc(frame.timestamp)},
          {"width", frame.image.cols},
          {"height", frame.image.rows},
          {"people_count", counts.people},
          {"vehicle_count", counts.vehicles},
          {"detections", detections_json(dets)},
          {"ms",
           {{"preprocess", t.preprocess_ms},
            {"forward", t.forward_ms},
            {"postprocess", t.postprocess_ms},
            {"total", total_ms}}}};
}

int run_process(const GlobalOptions& options, const ProcessOptions& opt) {
  auto config = resolve_config(options);
  if (!config) return report(config.error());
  SourceOptions source_options;
  source_options.camera = opt.camera;
  source_options.max_reconnects = opt.max_reconnects;
  auto source = open_source(opt.input, source_options);
  if (!source) return report(source.error());
  auto detector = make_detector(config->detector, config->inference);
  if (!detector) return report(detector.error());

  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  Progress progress((*source)->total_frames(), opt.progress);
  int64_t done = 0;
  int bad_frames = 0;
  Error last_error{ErrorCode::kInternal, ""};
  while (!g_stop && (opt.max_frames < 0 || done < opt.max_frames)) {
    auto frame = (*source)->next();
    if (!frame) {
      last_error = frame.error();
      ++bad_frames;
      if (!(*source)->total_frames()) break;  // a stream that gave up reconnecting
      std::cerr << (opt.progress ? "\n" : "") << "factoryai: skipped: " << frame.error().message
                << "\n";
      continue;
    }
    if (!frame->has_value()) break;
    const auto start = std::chrono::steady_clock::now();
    auto dets = (*detector)->detect((*frame)->image);
    const double total_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!dets) return report(dets.error());
    std::cout << frame_json(**frame, *dets, (*detector)->last_timing(), total_ms).dump() << "\n";
    progress.tick(++done);
  }
  progress.finish(done);
  std::cout.flush();
  if (bad_frames > 0) {
    return report(make_error(
        last_error.code,
        std::to_string(bad_frames) + " frame(s) could not be read; last: " + last_error.message));
  }
  return 0;
}

}  // namespace

void add_process_command(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  auto opt = std::make_shared<ProcessOptions>();
  auto* cmd = app.add_subcommand(
      "process", "Run the pipeline on an image, folder, video or rtsp:// stream; JSON lines out");
  cmd->add_option("input", opt->input, "Image, folder of images, video file or stream URL")
      ->required();
  cmd->add_option("--camera", opt->camera, "Camera id written into each frame");
  cmd->add_option("--max-frames", opt->max_frames, "Stop after this many frames (-1 = all)");
  cmd->add_option("--max-reconnects", opt->max_reconnects,
                  "Streams: give up after this many failed reconnects (-1 = never)");
  cmd->add_flag("--progress,!--no-progress", opt->progress,
                "Progress on stderr (default: when stderr is a terminal)");
  cmd->callback([&options, &exit_code, opt] { exit_code = run_process(options, *opt); });
}

}  // namespace fai::cli
