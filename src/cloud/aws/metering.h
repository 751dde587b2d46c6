#pragma once
// Cost of Rekognition image calls, per UTC day and month, next to the seed design's "without
// cache" estimate (every frame with a face sent to AWS), with an optional monthly budget cap.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"

namespace fai::aws {

struct CostMeterConfig {
  double price_per_image_usd = 0.001;        // Rekognition group 1 APIs, first million/month
  std::optional<double> monthly_budget_usd;  // none = unlimited
};

struct UsagePeriod {
  std::string period;  // "2026-11-25" for a day, "2026-11" for a month (UTC)
  int64_t calls = 0;
  double cost_usd = 0;
  int64_t calls_without_cache = 0;  // what the seed's cache-less design would have sent
  double cost_without_cache_usd = 0;
};

struct CostReport {
  UsagePeriod today;
  UsagePeriod this_month;
  double price_per_image_usd = 0;
  std::optional<double> monthly_budget_usd;
};

// Counts billed image calls and would-be calls; counters reset when the UTC day or month of
// `now()` changes. Costs are kept in integer micro-dollars so sums never drift.
// Usage: before a call, allow(); after a billed call, record_call(); once per frame that has
// a face (sent or answered from the cache), record_would_call(). Thread-safe.
class CostMeter {
 public:
  using Now = std::function<SystemTime()>;
  explicit CostMeter(CostMeterConfig config = {}, Now now = std::chrono::system_clock::now);

  // False when one more image call would take this month's cost over the budget.
  bool allow();
  void record_call();
  void record_would_call();
  CostReport report();

 private:
  struct Counts {
    int64_t key = -1;  // days (or months) since the epoch that these counts belong to
    int64_t calls = 0;
    int64_t would_calls = 0;
  };
  void roll_over(SystemTime now);
  UsagePeriod to_usage(const Counts& counts, std::string period) const;

  const int64_t price_micro_usd_;
  const std::optional<int64_t> budget_micro_usd_;
  const CostMeterConfig config_;
  const Now now_;
  std::mutex mutex_;
  Counts day_;
  Counts month_;
};

}  // namespace fai::aws
