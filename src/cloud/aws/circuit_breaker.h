#pragma once
// A consecutive-failure circuit breaker: after `failure_threshold` failed calls in a row it
// opens for `open_duration`, so callers fall back to local recognition instead of waiting on
// a dead or throttled service. The first call after that is a trial: success closes it,
// failure re-opens it (concurrent callers may all try in that moment; harmless here). Time is
// passed in, so it is pure and testable. Thread-safe.

#include <chrono>
#include <mutex>

namespace fai::aws {

enum class CircuitState { kClosed, kOpen, kHalfOpen };
const char* to_string(CircuitState state);  // "closed" | "open" | "half_open"

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  CircuitBreaker(int failure_threshold, Clock::duration open_duration);

  // False while open; true when closed or when the open period has elapsed (a trial call).
  bool allow(Clock::time_point now);
  void record_success();
  void record_failure(Clock::time_point now);
  // Half open: the open period has elapsed but no call has succeeded since (the next is a trial).
  CircuitState state(Clock::time_point now);

 private:
  const int failure_threshold_;
  const Clock::duration open_duration_;
  std::mutex mutex_;
  int consecutive_failures_ = 0;
  Clock::time_point open_until_{};
};

}  // namespace fai::aws
