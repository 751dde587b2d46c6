#include <gtest/gtest.h>

#include "cloud/aws/circuit_breaker.h"

namespace fai::aws {
namespace {

using namespace std::chrono_literals;
using Clock = CircuitBreaker::Clock;

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndRecovers) {
  CircuitBreaker breaker(3, 30s);
  const Clock::time_point t0{};
  breaker.record_failure(t0);
  breaker.record_failure(t0);
  breaker.record_success();  // a success breaks the run
  breaker.record_failure(t0);
  breaker.record_failure(t0);
  EXPECT_TRUE(breaker.allow(t0));
  breaker.record_failure(t0);  // third in a row
  EXPECT_FALSE(breaker.allow(t0 + 29s));
  EXPECT_TRUE(breaker.allow(t0 + 30s));  // trial call
  breaker.record_failure(t0 + 30s);      // trial failed: open again at once
  EXPECT_FALSE(breaker.allow(t0 + 31s));
  EXPECT_TRUE(breaker.allow(t0 + 60s));
  breaker.record_success();  // trial succeeded: closed, count reset
  breaker.record_failure(t0 + 61s);
  EXPECT_TRUE(breaker.allow(t0 + 61s));
}

TEST(CircuitBreaker, ReportsClosedOpenAndHalfOpen) {
  CircuitBreaker breaker(2, 30s);
  const Clock::time_point t0{};
  EXPECT_EQ(breaker.state(t0), CircuitState::kClosed);
  breaker.record_failure(t0);
  EXPECT_EQ(breaker.state(t0), CircuitState::kClosed);
  breaker.record_failure(t0);
  EXPECT_EQ(breaker.state(t0 + 29s), CircuitState::kOpen);
  EXPECT_EQ(breaker.state(t0 + 30s), CircuitState::kHalfOpen);
  breaker.record_success();
  EXPECT_EQ(breaker.state(t0 + 31s), CircuitState::kClosed);
  EXPECT_STREQ(to_string(CircuitState::kHalfOpen), "half_open");
}

}  // namespace
}  // namespace fai::aws
