#include <gtest/gtest.h>

#include "core/stats.h"

namespace fai {
namespace {

TEST(Summarize, MedianAndNearestRankP95) {
  std::vector<double> samples;
  for (int i = 20; i >= 1; --i) samples.push_back(i);  // unsorted on purpose
  const LatencySummary s = summarize(samples);
  EXPECT_EQ(s.count, 20);
  EXPECT_DOUBLE_EQ(s.median_ms, 10.5);
  EXPECT_DOUBLE_EQ(s.p95_ms, 19);
  EXPECT_DOUBLE_EQ(s.min_ms, 1);
  EXPECT_DOUBLE_EQ(s.max_ms, 20);
}

TEST(Summarize, OddCountAndEmpty) {
  EXPECT_DOUBLE_EQ(summarize({5, 1, 3}).median_ms, 3);
  EXPECT_DOUBLE_EQ(summarize({5, 1, 3}).p95_ms, 5);
  EXPECT_EQ(summarize({}).count, 0);
}

}  // namespace
}  // namespace fai
