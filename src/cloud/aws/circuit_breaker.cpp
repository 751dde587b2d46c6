#include "cloud/aws/circuit_breaker.h"

#include "core/expected.h"

namespace fai::aws {

CircuitBreaker::CircuitBreaker(int failure_threshold, Clock::duration open_duration)
    : failure_threshold_(failure_threshold), open_duration_(open_duration) {
  FAI_CHECK(failure_threshold_ >= 1);
}

const char* to_string(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "closed";
    case CircuitState::kOpen:
      return "open";
    case CircuitState::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

CircuitState CircuitBreaker::state(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (consecutive_failures_ < failure_threshold_) return CircuitState::kClosed;
  return now < open_until_ ? CircuitState::kOpen : CircuitState::kHalfOpen;
}

bool CircuitBreaker::allow(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  return now >= open_until_;
}

void CircuitBreaker::record_success() {
  std::lock_guard lock(mutex_);
  consecutive_failures_ = 0;
}

void CircuitBreaker::record_failure(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  // A failed trial call (count already at the threshold) re-opens at once.
  if (++consecutive_failures_ >= failure_threshold_) open_until_ = now + open_duration_;
}

}  // namespace fai::aws
