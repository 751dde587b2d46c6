#include "http_bench.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cli.h"
#include "core/stats.h"

namespace fai::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Frames re-encoded as 640x480 JPEG (quality 90), what a typical camera snapshot looks like.
Expected<std::vector<std::string>> load_frames(const std::string& dir) {
  std::vector<fs::path> paths;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto ext = e.path().extension().string();
    if (ext == ".jpg" || ext == ".png" || ext == ".jpeg") paths.push_back(e.path());
  }
  if (paths.empty()) {
    return make_error(ErrorCode::kNotFound,
                      "no frames in " + dir + " (is ../shared/data present? use --frames DIR)");
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> frames;
  for (const auto& p : paths) {
    cv::Mat image = cv::imread(p.string(), cv::IMREAD_COLOR);
    if (image.empty()) continue;
    if (image.cols != 640 || image.rows != 480) cv::resize(image, image, {640, 480});
    std::vector<uint8_t> jpeg;
    cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
    frames.emplace_back(jpeg.begin(), jpeg.end());
  }
  return frames;
}

struct Samples {
  std::vector<double> latency_ms;  // client-observed, request to response
  std::map<std::string, std::vector<double>> stage_ms;
  std::vector<double> server_total_ms;
  int errors = 0;
  std::string last_error;
};

void send_frames(const HttpBenchOptions& opt, const std::vector<std::string>& frames,
                 const std::string& camera, int count, Samples& out, std::mutex& mutex) {
  httplib::Client client(opt.url);
  client.set_read_timeout(60);
  const std::string path = "/api/process?camera_id=" + camera;
  for (int i = 0; i < count; ++i) {
    const std::string& jpeg = frames[static_cast<size_t>(i) % frames.size()];
    const auto start = std::chrono::steady_clock::now();
    auto res = client.Post(path, jpeg, "image/jpeg");
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard lock(mutex);
    if (!res || res->status != 200) {
      ++out.errors;
      out.last_error =
          res ? std::to_string(res->status) + " " + res->body : httplib::to_string(res.error());
      continue;
    }
    const auto body = json::parse(res->body, nullptr, false);
    if (body.is_discarded()) continue;
    out.latency_ms.push_back(ms);
    out.server_total_ms.push_back(body.value("processing_time_ms", 0.0));
    for (const auto& [stage, v] : body["stage_ms"].items()) out.stage_ms[stage].push_back(v);
  }
}

struct RunResult {
  int cameras = 0;
  double seconds = 0;
  Samples samples;
};

RunResult run(const HttpBenchOptions& opt, const std::vector<std::string>& frames, int cameras) {
  RunResult r{cameras, 0, {}};
  std::mutex mutex;
  Samples warmup;
  send_frames(opt, frames, "bench-warmup", opt.warmup_frames, warmup, mutex);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < cameras; ++c) {
    clients.emplace_back([&, c] {
      send_frames(opt, frames, "bench-" + std::to_string(cameras) + "-" + std::to_string(c),
                  opt.frames_per_camera, r.samples, mutex);
    });
  }
  for (auto& t : clients) t.join();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

json result_json(const RunResult& r) {
  const auto& s = r.samples;
  const LatencySummary latency = summarize(s.latency_ms);
  const LatencySummary forward =
      summarize(s.stage_ms.count("forward") ? s.stage_ms.at("forward") : std::vector<double>{});
  json stages = json::object();
  for (const auto& [stage, v] : s.stage_ms) stages[stage] = summarize(v).median_ms;
  const double fps = r.seconds > 0 ? s.latency_ms.size() / r.seconds : 0;
  return {{"cameras", r.cameras},
          {"frames", s.latency_ms.size()},
          {"errors", s.errors},
          {"last_error", s.last_error},
          {"frames_per_s", fps},
          {"latency_p50_ms", latency.median_ms},
          {"latency_p95_ms", latency.p95_ms},
          {"server_total_p50_ms", summarize(s.server_total_ms).median_ms},
          {"stage_p50_ms", stages},
          // Client-observed (HTTP + JPEG decode + pipeline) and server-side (submit to result).
          {"end_to_end_over_forward",
           forward.median_ms > 0 ? latency.median_ms / forward.median_ms : 0},
          {"server_total_over_forward",
           forward.median_ms > 0 ? summarize(s.server_total_ms).median_ms / forward.median_ms : 0}};
}

void print_result(const json& r) {
  std::printf(
      "cameras %d: %d frames, %.2f frames/s, latency p50 %.1f ms p95 %.1f ms, "
      "end-to-end / forward = %.3f (server side %.3f), errors %d\n",
      r["cameras"].get<int>(), r["frames"].get<int>(), r["frames_per_s"].get<double>(),
      r["latency_p50_ms"].get<double>(), r["latency_p95_ms"].get<double>(),
      r["end_to_end_over_forward"].get<double>(), r["server_total_over_forward"].get<double>(),
      r["errors"].get<int>());
  std::printf("  stage p50 ms:");
  for (const auto& [stage, v] : r["stage_p50_ms"].items()) {
    std::printf(" %s %.2f", stage.c_str(), v.get<double>());
  }
  std::printf("\n");
}

}  // namespace

int run_http_bench(const HttpBenchOptions& opt) {
  auto frames = load_frames(opt.frames_dir);
  if (!frames) return report(frames.error());
  json results = json::array();
  for (int cameras : opt.camera_counts) {
    results.push_back(result_json(run(opt, *frames, cameras)));
    if (!opt.json) print_result(results.back());
  }
  if (opt.json) std::cout << results.dump(2) << "\n";
  if (results.size() >= 2 && !opt.json) {
    const double one = results.front()["frames_per_s"], many = results.back()["frames_per_s"];
    std::printf("aggregate throughput %d cameras / 1 camera = %.2f\n",
                results.back()["cameras"].get<int>(), one > 0 ? many / one : 0);
  }
  const bool failed = std::any_of(results.begin(), results.end(),
                                  [](const json& r) { return r["frames"].get<int>() == 0; });
  return failed ? 1 : 0;
}

}  // namespace fai::cli
