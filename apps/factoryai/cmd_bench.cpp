// `factoryai bench`: forward latency of every installed model on every available backend,
// measured in one run, and the per-model backend choice that Backend::kAuto then uses.

#include <chrono>
#include <iostream>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "cli.h"
#include "core/stats.h"
#include "http_bench.h"
#include "image/image_io.h"
#include "infer/manifest.h"
#include "infer/session.h"

namespace fai::cli {
namespace {

struct BenchOptions {
  std::vector<std::string> only;  // model names; empty = all
  int warmup = 3;
  int runs = 20;
  std::string image = "/usr/share/darknet/data/dog.jpg";
  bool write_choice = true;
  bool json = false;
  HttpBenchOptions http;
};

struct BenchRow {
  std::string model;
  std::string backend;
  std::string input;
  LatencySummary latency;
  std::string error;
};

// A real picture in the model's own preprocessing when it looks like an image input, so that
// data-dependent paths (none expected, but cheap to rule out) see realistic values.
Tensor bench_input(const ModelInfo& m, const cv::Mat& picture) {
  if (m.input.shape.size() == 4 && m.input.shape[1] == 3 && !picture.empty()) {
    return make_input_tensor(
        picture, Letterbox::fit(picture.cols, picture.rows, m.input_width(), m.input_height()),
        m.normalization);
  }
  Tensor t;
  t.shape = m.input.shape;
  t.data.assign(static_cast<size_t>(t.numel()), 0.5f);
  return t;
}

BenchRow bench_one(const ModelInfo& m, Backend backend, const Tensor& input,
                   const BenchOptions& opt, int threads) {
  BenchRow row{m.name, to_string(backend), "", {}, ""};
  for (size_t i = 0; i < input.shape.size(); ++i) {
    row.input += (i ? "x" : "") + std::to_string(input.shape[i]);
  }
  auto session = open_session(m, backend, threads);
  if (!session) {
    row.error = session.error().message;
    return row;
  }
  std::vector<double> samples;
  for (int i = 0; i < opt.warmup + opt.runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto out = (*session)->run(input);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    if (!out) {
      row.error = out.error().message;
      return row;
    }
    if (i >= opt.warmup) samples.push_back(took.count());
  }
  row.latency = summarize(std::move(samples));
  return row;
}

std::vector<Backend> backends_of(const ModelInfo& m) {
  std::vector<Backend> out;
  if (m.onnx) out.push_back(Backend::kOpenCv);
  if (m.torchscript && torch_available()) out.push_back(Backend::kTorch);
  return out;
}

void print_table(const std::vector<BenchRow>& rows, int threads) {
  std::printf("threads: OpenCV %d, sessions %d\n", cv::getNumThreads(), threads);
  std::printf("%-16s %-8s %-16s %10s %10s %9s\n", "model", "backend", "input", "median ms",
              "p95 ms", "frames/s");
  for (const auto& r : rows) {
    if (!r.error.empty()) {
      std::printf("%-16s %-8s %-16s FAILED: %s\n", r.model.c_str(), r.backend.c_str(),
                  r.input.c_str(), r.error.c_str());
      continue;
    }
    std::printf("%-16s %-8s %-16s %10.1f %10.1f %9.1f\n", r.model.c_str(), r.backend.c_str(),
                r.input.c_str(), r.latency.median_ms, r.latency.p95_ms,
                1000.0 / r.latency.median_ms);
  }
}

std::map<std::string, Backend> fastest_backends(const std::vector<BenchRow>& rows) {
  std::map<std::string, Backend> choice;
  std::map<std::string, double> best_ms;
  for (const auto& r : rows) {
    if (!r.error.empty()) continue;
    auto it = best_ms.find(r.model);
    if (it == best_ms.end() || r.latency.median_ms < it->second) {
      best_ms[r.model] = r.latency.median_ms;
      choice[r.model] = r.backend == "torch" ? Backend::kTorch : Backend::kOpenCv;
    }
  }
  return choice;
}

nlohmann::json rows_json(const std::vector<BenchRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    out.push_back({{"model", r.model},
                   {"backend", r.backend},
                   {"input", r.input},
                   {"median_ms", r.latency.median_ms},
                   {"p95_ms", r.latency.p95_ms},
                   {"runs", r.latency.count},
                   {"error", r.error}});
  }
  return out;
}

int run_bench(const GlobalOptions& options, const BenchOptions& opt) {
  auto config = resolve_config(options);
  if (!config) return report(config.error());
  auto manifest = load_manifest(config->inference.models_dir);
  if (!manifest) return report(manifest.error());
  auto picture = read_image(opt.image);
  const cv::Mat sample = picture ? *picture : cv::Mat();
  const int threads = config->inference.threads;
  std::vector<BenchRow> rows;
  for (const ModelInfo& m : manifest->models) {
    if (!opt.only.empty() &&
        std::find(opt.only.begin(), opt.only.end(), m.name) == opt.only.end()) {
      continue;
    }
    const Tensor input = bench_input(m, sample);
    for (Backend b : backends_of(m)) rows.push_back(bench_one(m, b, input, opt, threads));
  }
  if (opt.json) {
    std::cout << rows_json(rows).dump(2) << "\n";
  } else {
    print_table(rows, threads);
  }
  if (opt.write_choice) {
    auto choice = fastest_backends(rows);
    if (auto st = write_backend_choice(config->inference.models_dir, choice); !st) {
      return report(st.error());
    }
    std::cerr << "backend choice written to " << backend_choice_path(config->inference.models_dir)
              << "\n";
  }
  const bool any_failed =
      std::any_of(rows.begin(), rows.end(), [](const BenchRow& r) { return !r.error.empty(); });
  return any_failed ? 1 : 0;
}

}  // namespace

void add_bench_command(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  auto opt = std::make_shared<BenchOptions>();
  auto* cmd = app.add_subcommand("bench", "Forward latency per model and backend (median, p95)");
  cmd->add_option("--model", opt->only, "Only these models (repeatable)");
  cmd->add_option("--warmup", opt->warmup, "Untimed runs first")->check(CLI::Range(0, 1000));
  cmd->add_option("--runs", opt->runs, "Timed runs")->check(CLI::Range(1, 100000));
  cmd->add_option("--image", opt->image, "Picture fed to image models");
  cmd->add_flag("!--no-write-choice", opt->write_choice,
                "Do not record the faster backend per model in backend-choice.json");
  cmd->add_flag("--json", opt->json, "Print JSON instead of a table");
  cmd->add_option("--http", opt->http.url,
                  "Instead: drive a running server at this URL (e.g. http://127.0.0.1:8000)");
  cmd->add_option("--frames", opt->http.frames_dir, "--http: folder of frames to send");
  cmd->add_option("--cameras", opt->http.camera_counts, "--http: concurrent camera counts to run");
  cmd->add_option("--frames-per-camera", opt->http.frames_per_camera,
                  "--http: frames each camera sends");
  cmd->callback([&options, &exit_code, opt] {
    if (!opt->http.url.empty()) {
      opt->http.json = opt->json;
      exit_code = run_http_bench(opt->http);
    } else {
      exit_code = run_bench(options, *opt);
    }
  });
}

}  // namespace fai::cli
