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

#include "api/live_dashboard.h"
#include "api/server.h"
#include "cli.h"
#include "detect/detector.h"
#include "employee_services.h"
#include "infer/session.h"
#include "recognition_services.h"
#include "source/frame_source.h"
#include "store/id_blocks.h"
#include "vehicle_services.h"

namespace fai::cli {
namespace {

struct ServeOptions {
  int port = -1;
  std::string db;
};

bool is_sqlite(const std::string& url) {
  return url.rfind("sqlite:", 0) == 0;
}

// Local crash-durable state (the crossing and visit spools, the frame-id mark) lives next to
// the SQLite file, in store.spool_dir when set, else in ./spool.
std::string state_prefix(const StoreSettings& s) {
  if (!s.spool_dir.empty()) return s.spool_dir + "/";
  if (is_sqlite(s.url)) {
    std::string path = s.url.substr(7);
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    return path + ".";
  }
  return "spool/";
}

// The database and what makes it crash-safe, opened in start-up order: crossings left in the
// spool are committed before the counters are rebuilt from the ledger.
struct Persistence {
  std::unique_ptr<Store> store;
  std::unique_ptr<WriteBehindQueue> writer;
  std::unique_ptr<IdBlocks> frame_ids;
  std::vector<CameraCounters> restored;
};

Expected<Persistence> open_persistence(const StoreSettings& settings) {
  Persistence p;
  auto store = open_store({settings.url});
  if (!store) return store.error();
  p.store = std::move(*store);
  const std::string prefix = state_prefix(settings);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(prefix).parent_path(), ec);
  WriteBehindOptions options;
  options.capacity_rows = static_cast<size_t>(settings.queue_capacity);
  options.spool_path = prefix + "crossings.spool";
  auto writer = WriteBehindQueue::start(*p.store, options);
  if (!writer) return writer.error();
  p.writer = std::move(*writer);
  if (auto st = p.writer->flush(std::chrono::seconds(30)); !st) return st.error();
  auto restored = p.store->restore_counters();
  if (!restored) return restored.error();
  p.restored = std::move(*restored);
  auto last_frame = p.store->max_frame_id();
  if (!last_frame) return last_frame.error();
  auto frame_ids = IdBlocks::open(prefix + "frame-ids", *last_frame + 1);
  if (!frame_ids) return frame_ids.error();
  p.frame_ids = std::move(*frame_ids);
  return p;
}

// Hands one frame to the pipeline. A live stream must not fall behind, so a frame the pipeline
// cannot take now is dropped; a file or folder is not live, so it waits for room instead.
bool submit_frame(Pipeline& pipeline, FrameJob job, bool live, const std::atomic<bool>& stopping) {
  for (;;) {
    auto accepted = pipeline.submit(job);
    if (accepted) return true;
    if (live || accepted.error().code != ErrorCode::kOverloaded || stopping) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Pulls frames from a configured camera source into the pipeline until the source ends, gives
// up reconnecting, or the server stops.
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
  const bool live = !(*source)->total_frames().has_value();
  int64_t dropped = 0;
  while (!stopping) {
    auto frame = (*source)->next();
    if (!frame) {
      spdlog::warn("camera {}: {}", camera.id, frame.error().message);
      if (live) return;  // a stream that gave up reconnecting
      continue;
    }
    if (!frame->has_value()) return;  // end of a file
    FrameJob job{camera.id, std::move((*frame)->image), (*frame)->timestamp};
    if (!submit_frame(pipeline, std::move(job), live, stopping) && ++dropped % 100 == 1) {
      spdlog::warn("camera {}: {} frame(s) dropped: the pipeline is behind", camera.id, dropped);
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

  auto persistence = open_persistence(config->store);
  if (!persistence) return report(persistence.error());
  Store& store = *persistence->store;
  WriteBehindQueue& writer = *persistence->writer;

  std::string detector_backend;
  const DetectorFactory factory = [&]() {
    auto d = make_detector(config->detector, config->inference);
    if (d) detector_backend = (*d)->backend();
    return d;
  };
  // The tracker needs the low-score detections ByteTrack recovers occluded tracks with.
  config->detector.score_threshold =
      std::min(config->detector.score_threshold, config->tracker.low_score);
  auto dashboard = api::LiveDashboard::open(*config);
  if (!dashboard) return report(dashboard.error());
  auto vehicles = VehicleServices::open(*config, state_prefix(config->store) + "visits.spool");
  if (!vehicles) return report(vehicles.error());
  std::vector<std::shared_ptr<FrameAnalyzer>> analyzers;
  (*vehicles)->add_analyzer(analyzers);
  auto recognition = RecognitionServices::open(*config);  // face recognition per person track
  recognition->add_analyzer(analyzers);
  // Employees load their templates into the recognition Gallery; attendance runs after faces.
  auto employees = EmployeeServices::open(*config, recognition->gallery, recognition->aws);
  if (!employees) return report(employees.error());
  recognition->set_names((*employees)->names());
  if (std::shared_ptr<FaceAnalyzer> faces = recognition->analyzer) {
    (*employees)->employees->on_removed([faces](const std::string& id) {
      faces->forget_employee(id);
    });
  }
  (*employees)->add_attendance_analyzer(analyzers);
  // Last: the snapshot labels tracks with the names and plates found before it.
  analyzers.push_back((*dashboard)->snapshots);
  auto pipeline = Pipeline::create(*config, factory, &writer, persistence->restored,
                                   *persistence->frame_ids, analyzers);
  if (!pipeline) return report(pipeline.error());
  if (auto st = (*dashboard)->attach(**pipeline); !st) return report(st.error());

  api::ServiceInfo info{FAI_VERSION,
                        backend_versions(),
                        is_sqlite(config->store.url) ? "sqlite" : "postgresql",
                        {{config->detector.type, detector_backend}}};
  api::ApiContext context{*config, **pipeline, store, writer, info, {}};
  context.live = &(*dashboard)->services;
  context.vehicles = (*vehicles)->store.get();
  context.employees = (*employees)->employees.get();
  context.diagnostic_sections.emplace_back("attendance",
                                           [&] { return (*employees)->diagnostic(); });
  context.diagnostic_sections.emplace_back("anpr", [&] { return (*vehicles)->diagnostic(); });
  context.diagnostic_sections.emplace_back("recognition",
                                           [&] { return recognition->diagnostic(); });
  api::ApiServer server(std::move(context));
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
  (*dashboard)->events->close();  // ends the open live streams
  server.stop();
  http.join();
  for (auto& t : ingesters) t.join();
  (*pipeline)->stop();
  if (auto st = writer.flush(std::chrono::seconds(30)); !st) return report(st.error());
  if (auto st = persistence->frame_ids->close(); !st) return report(st.error());
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
