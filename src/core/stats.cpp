#include "core/stats.h"

#include <algorithm>
#include <cmath>

namespace fai {

static double nearest_rank(const std::vector<double>& sorted, double fraction) {
  const auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

LatencySummary summarize(std::vector<double> samples_ms) {
  LatencySummary s;
  if (samples_ms.empty()) return s;
  std::sort(samples_ms.begin(), samples_ms.end());
  s.count = static_cast<int>(samples_ms.size());
  const size_t mid = samples_ms.size() / 2;
  s.median_ms =
      samples_ms.size() % 2 ? samples_ms[mid] : 0.5 * (samples_ms[mid - 1] + samples_ms[mid]);
  s.p95_ms = nearest_rank(samples_ms, 0.95);
  s.min_ms = samples_ms.front();
  s.max_ms = samples_ms.back();
  return s;
}

}  // namespace fai
