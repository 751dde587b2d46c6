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

}  // namespace
}  // namespace fai::aws
