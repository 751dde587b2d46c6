#include "cloud/aws/metering.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace fai::aws {
namespace {

int64_t to_micro_usd(double usd) {
  return std::llround(usd * 1e6);
}
double to_usd(int64_t micro_usd) {
  return static_cast<double>(micro_usd) / 1e6;
}

std::chrono::year_month_day utc_date(SystemTime t) {
  return std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(t));
}

int64_t day_key(SystemTime t) {
  return std::chrono::floor<std::chrono::days>(t).time_since_epoch().count();
}

int64_t month_key(SystemTime t) {
  const auto date = utc_date(t);
  return static_cast<int64_t>(static_cast<int>(date.year())) * 12 +
         static_cast<unsigned>(date.month()) - 1;
}

std::string day_label(SystemTime t) {
  const auto date = utc_date(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf;
}

}  // namespace

CostMeter::CostMeter(CostMeterConfig config, Now now)
    : price_micro_usd_(to_micro_usd(config.price_per_image_usd)),
      budget_micro_usd_(config.monthly_budget_usd
                            ? std::optional<int64_t>(to_micro_usd(*config.monthly_budget_usd))
                            : std::nullopt),
      config_(config),
      now_(std::move(now)) {}

void CostMeter::roll_over(SystemTime now) {
  if (const int64_t key = day_key(now); key != day_.key) day_ = Counts{key};
  if (const int64_t key = month_key(now); key != month_.key) month_ = Counts{key};
}

bool CostMeter::allow() {
  std::lock_guard lock(mutex_);
  roll_over(now_());
  return !budget_micro_usd_ || (month_.calls + 1) * price_micro_usd_ <= *budget_micro_usd_;
}

void CostMeter::record_call() {
  std::lock_guard lock(mutex_);
  roll_over(now_());
  ++day_.calls;
  ++month_.calls;
}

void CostMeter::record_would_call() {
  std::lock_guard lock(mutex_);
  roll_over(now_());
  ++day_.would_calls;
  ++month_.would_calls;
}

UsagePeriod CostMeter::to_usage(const Counts& counts, std::string period) const {
  return UsagePeriod{std::move(period), counts.calls, to_usd(counts.calls * price_micro_usd_),
                     counts.would_calls, to_usd(counts.would_calls * price_micro_usd_)};
}

CostReport CostMeter::report() {
  std::lock_guard lock(mutex_);
  const SystemTime now = now_();
  roll_over(now);
  const std::string day = day_label(now);
  return CostReport{to_usage(day_, day), to_usage(month_, day.substr(0, 7)),
                    config_.price_per_image_usd, config_.monthly_budget_usd};
}

}  // namespace fai::aws
