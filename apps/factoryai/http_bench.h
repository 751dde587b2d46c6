#pragma once
// `factoryai bench --http URL`: drives a running server with the JPEG frames of a real sequence
// and reports throughput, latency and where the time goes, for 1 and for N concurrent cameras.

#include <string>
#include <vector>

namespace fai::cli {

struct HttpBenchOptions {
  std::string url;  // http://127.0.0.1:8000
  std::string frames_dir = "../shared/data/tracking/TUD-Campus/img1";
  std::vector<int> camera_counts = {1, 4};
  int frames_per_camera = 71;  // one pass over TUD-Campus
  int warmup_frames = 5;
  bool json = false;
};

int run_http_bench(const HttpBenchOptions& options);

}  // namespace fai::cli
