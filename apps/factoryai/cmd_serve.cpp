// `factoryai serve`: the HTTP API and dashboard over the per-camera pipeline, with the store's
// write-behind queue. SIGINT/SIGTERM stop it gracefully: accepted frames finish, rows flush.

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/server.h"
#include "cli.h"
#include "detect/detector.h"
#include "source/frame_source.h"

namespace fai::cli {
namespace {

struct ServeOptions {
  int port = -1;
  std::string db;
};

bool is_sqlite(const std::string& url) {
  return url.rfind("sqlite:", 0) == 0;
}

// Crossings wait here until committed: next to the SQLite file, else in ./spool.
std::string spool_path(const StoreSettings& s) {
  if (!s.spool_dir.empty()) return s.spool_dir + "/crossings.spool";
  if (is_sqlite(s.url)) {
    std::string path = s.url.substr(7);
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    return path + ".crossings.spool";
  }
  return "spool/crossings.spool";
}

// Pulls frames from a configured camera source into the pipeline; a frame the pipeline cannot
// take now is dropped (a live camera must not fall behind), counted, and logged.
void ingest(const CameraConfig& camera, Pipeline& pipeline, const ImageLimits& limits,
            const std::atomic<bool>& stopping) {
  SourceOptions options;
  options.camera = camera.id;
  options.limits = limits;
  auto source = open_source(camera.source, options);
  if (!source) {
    spdlog::error("camera {}: {}", camera.id, source.error().message);
    return;
  }
  int64_t dropped = 0;
  while (!stopping) {
    auto frame = (*source)->next();
    if (!frame) {
      spdlog::warn("camera {}: {}", camera.id, frame.error().message);
      if (!(*source)->total_frames()) return;  // a stream that gave up
      continue;
    }
    if (!frame->has_value()) return;  // end of a file
    auto accepted = pipeline.submit({camera.id, std::move((*frame)->image), (*frame)->timestamp});
    if (!accepted && ++dropped % 100 == 1) {
      spdlog::warn("camera {}: dropped {} frame(s): {}", camera.id, dropped,
                   accepted.error().message);
    }
  }
}

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

int run_serve(const GlobalOptions& options, const ServeOptions& opt) {
  auto config = resolve_config(options);
  if (!config) return report(config.error());
  if (opt.port >= 0) config->server.port = opt.port;
  if (!opt.db.empty()) config->store.url = opt.db;

  // Every thread started from here on inherits the blocked signals; main waits for them.
  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto store = open_store({config->store.url});
  if (!store) return report(store.error());
  WriteBehindOptions writer_options;
  writer_options.capacity_rows = static_cast<size_t>(config->store.queue_capacity);
  writer_options.spool_path = spool_path(config->store);
  std::filesystem::create_directories(
      std::filesystem::path(writer_options.spool_path).parent_path().empty()
          ? "."
          : std::filesystem::path(writer_options.spool_path).parent_path());
  auto writer = WriteBehindQueue::start(**store, writer_options);
  if (!writer) return report(writer.error());
  // Crossings replayed from the spool must be in the ledger before counters are rebuilt.
  if (auto st = (*writer)->flush(std::chrono::seconds(30)); !st) return report(st.error());
  auto restored = (*store)->restore_counters();
  if (!restored) return report(restored.error());
  auto last_frame = (*store)->max_frame_id();
  if (!last_frame) return report(last_frame.error());

  std::string detector_backend;
  const DetectorFactory factory = [&]() {
    auto d = make_detector(config->detector, config->inference);
    if (d) detector_backend = (*d)->backend();
    return d;
  };
  // The tracker needs the low-score detections ByteTrack recovers occluded tracks with.
  config->detector.score_threshold =
      std::min(config->detector.score_threshold, config->tracker.low_score);
  auto pipeline = Pipeline::create(*config, factory, writer->get(), *restored, *last_frame + 1);
  if (!pipeline) return report(pipeline.error());

  api::ServiceInfo info{FAI_VERSION,
                        is_sqlite(config->store.url) ? "sqlite" : "postgresql",
                        {{config->detector.type, detector_backend}}};
  api::ApiServer server(*config, **pipeline, **store, **writer, info);
  if (auto st = server.bind(); !st) return report(st.error());
  std::thread http([&] { server.run(); });
  std::cerr << "factoryai: serving on http://" << config->server.host << ":" << server.port()
            << " (" << info.store_backend << ", detector " << config->detector.type << " on "
            << detector_backend << ")" << std::endl;

  std::atomic<bool> stopping{false};
  std::vector<std::thread> ingesters;
  const ImageLimits limits{config->images.max_width, config->images.max_height};
  for (const CameraConfig& c : config->cameras) {
    if (!c.source.empty()) {
      ingesters.emplace_back([&, c] { ingest(c, **pipeline, limits, stopping); });
    }
  }

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::cerr << "factoryai: " << strsignal(signal_number) << ", shutting down" << std::endl;
  stopping = true;
  server.stop();
  http.join();
  for (auto& t : ingesters) t.join();
  (*pipeline)->stop();
  if (auto st = (*writer)->flush(std::chrono::seconds(30)); !st) return report(st.error());
  std::cerr << "factoryai: stopped; all rows written" << std::endl;
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  auto opt = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Serve the HTTP API and dashboard (default :8000)");
  cmd->add_option("--port", opt->port, "Port (overrides server.port; 0 = any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--db", opt->db,
                  "Database URL (overrides store.url): sqlite:PATH | postgresql://...");
  cmd->callback([&options, &exit_code, opt] { exit_code = run_serve(options, *opt); });
}

}  // namespace fai::cli
