#include <gtest/gtest.h>

#include <thread>

#include "cloud/aws/metering.h"

namespace fai::aws {
namespace {

using namespace std::chrono;

SystemTime utc(int y, unsigned m, unsigned d, int hour = 12) {
  return sys_days(year(y) / month(m) / day(d)) + hours(hour);
}

// A meter on a clock the test moves.
struct ClockedMeter {
  explicit ClockedMeter(CostMeterConfig config) : meter(config, [this] { return now; }) {}
  SystemTime now = utc(2026, 11, 25);
  CostMeter meter;
};

TEST(CostMeter, CountsPerUtcDayAndMonthAndRollsOver) {
  ClockedMeter m(CostMeterConfig{});
  struct Step {
    SystemTime at;
    int calls;
    std::string day;
    int64_t day_calls;
    std::string month;
    int64_t month_calls;
  };
  const Step steps[] = {
      {utc(2026, 11, 25, 9), 3, "2026-11-25", 3, "2026-11", 3},
      {utc(2026, 11, 25, 23), 2, "2026-11-25", 5, "2026-11", 5},
      {utc(2026, 11, 26, 0), 1, "2026-11-26", 1, "2026-11", 6},  // new day, same month
      {utc(2026, 12, 1, 0), 4, "2026-12-01", 4, "2026-12", 4},   // new month
      {utc(2027, 1, 1, 0), 0, "2027-01-01", 0, "2027-01", 0},    // new year, idle
  };
  for (const auto& step : steps) {
    m.now = step.at;
    for (int i = 0; i < step.calls; ++i) m.meter.record_call();
    const CostReport report = m.meter.report();
    EXPECT_EQ(report.today.period, step.day);
    EXPECT_EQ(report.today.calls, step.day_calls) << step.day;
    EXPECT_EQ(report.this_month.period, step.month);
    EXPECT_EQ(report.this_month.calls, step.month_calls) << step.day;
    EXPECT_DOUBLE_EQ(report.this_month.cost_usd, 0.001 * static_cast<double>(step.month_calls));
  }
}

TEST(CostMeter, WithoutCacheEstimateSitsNextToActual) {
  ClockedMeter m(CostMeterConfig{});
  // The seed's example: a cache that answers 90 % of frames with a face.
  for (int frame = 0; frame < 1000; ++frame) {
    m.meter.record_would_call();
    if (frame % 10 == 0) m.meter.record_call();
  }
  const CostReport report = m.meter.report();
  EXPECT_EQ(report.today.calls, 100);
  EXPECT_EQ(report.today.calls_without_cache, 1000);
  EXPECT_DOUBLE_EQ(report.today.cost_usd, 0.1);
  EXPECT_DOUBLE_EQ(report.this_month.cost_without_cache_usd, 1.0);
  EXPECT_DOUBLE_EQ(report.price_per_image_usd, 0.001);
}

TEST(CostMeter, BudgetCapStopsCallsUntilNextMonth) {
  ClockedMeter m(CostMeterConfig{0.01, 0.05});  // five calls a month
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(m.meter.allow()) << i;
    m.meter.record_call();
  }
  EXPECT_FALSE(m.meter.allow());
  m.meter.record_would_call();  // estimates keep counting while capped
  EXPECT_FALSE(m.meter.allow());
  m.now = utc(2026, 12, 1, 0);
  EXPECT_TRUE(m.meter.allow());
  EXPECT_EQ(m.meter.report().this_month.calls, 0);
}

TEST(CostMeter, NoBudgetMeansAlwaysAllowed) {
  ClockedMeter m(CostMeterConfig{});
  for (int i = 0; i < 10000; ++i) m.meter.record_call();
  EXPECT_TRUE(m.meter.allow());
  EXPECT_FALSE(m.meter.report().monthly_budget_usd.has_value());
}

TEST(CostMeter, ConcurrentRecordsAreAllCounted) {
  CostMeter meter;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) meter.record_call();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(meter.report().this_month.calls, 4000);  // unless run across a month boundary
}

}  // namespace
}  // namespace fai::aws
