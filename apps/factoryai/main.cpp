// factoryai: one binary, one subcommand per job (serve | process | detect | eval | bench | models).

#include <unistd.h>

#include <cstdlib>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <opencv2/core/utils/logger.hpp>

#include "cli.h"

namespace {

// libgomp (OpenMP under libtorch) reads OMP_WAIT_POLICY once, when it is loaded, before main.
// Its default spins idle threads; on a busy 2-core machine that turned a 50 ms NanoDet forward
// into 0.5-2 s (docs/decisions.md). So set PASSIVE and restart the process image once.
void ensure_passive_openmp(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) {
    return;  // the operator chose
  }
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);  // only returns on failure: carry on with the default policy
}

}  // namespace

int main(int argc, char** argv) {
  ensure_passive_openmp(argv);
  CLI::App app{"Factory AI: video analytics for factories (people, vehicles, faces, plates)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", FAI_VERSION);
  fai::cli::GlobalOptions options;
  app.add_option("-c,--config", options.config_path, "YAML config (see config/example.yaml)")
      ->check(CLI::ExistingFile);
  app.add_option("--models-dir", options.models_dir, "Folder with manifest.json and models");
  app.add_option("--backend", options.backend, "Inference backend: auto | opencv | torch")
      ->check(CLI::IsMember({"auto", "opencv", "torch"}));
  app.add_option("--log-level", options.log_level, "trace | debug | info | warn | error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  int exit_code = 0;
  fai::cli::add_serve_command(app, options, exit_code);
  fai::cli::add_detect_command(app, options, exit_code);
  fai::cli::add_process_command(app, options, exit_code);
  fai::cli::add_bench_command(app, options, exit_code);
  fai::cli::add_models_command(app, options, exit_code);
  fai::cli::add_eval_command(app, options, exit_code);

  // stdout carries results (JSON); every log line goes to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("factoryai"));
  app.parse_complete_callback([&] {
    spdlog::set_level(spdlog::level::from_str(options.log_level));
    // Failures reach the user once, as our own error line; OpenCV's log would repeat them.
    const bool verbose = options.log_level == "trace" || options.log_level == "debug";
    cv::utils::logging::setLogLevel(verbose ? cv::utils::logging::LOG_LEVEL_INFO
                                            : cv::utils::logging::LOG_LEVEL_SILENT);
    // OpenCV reads this once, at its first FFmpeg capture; -8 is AV_LOG_QUIET.
    setenv("OPENCV_FFMPEG_LOGLEVEL", verbose ? "32" : "-8", /*overwrite=*/0);
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
