#pragma once
// Latency summaries for benchmarks and per-stage timing: medians and tail percentiles.

#include <vector>

namespace fai {

struct LatencySummary {
  int count = 0;
  double median_ms = 0;
  double p95_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
};

// Nearest-rank percentiles over the samples (order does not matter).
LatencySummary summarize(std::vector<double> samples_ms);

}  // namespace fai
