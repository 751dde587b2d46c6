#include <gtest/gtest.h>

#include "core/clock.h"

namespace fai {
namespace {

TEST(Clock, FormatsUtcWithMilliseconds) {
  const SystemTime t{std::chrono::milliseconds(1764085254123)};
  EXPECT_EQ(iso8601_utc(t), "2025-11-25T15:40:54.123Z");
  EXPECT_EQ(iso8601_utc(SystemTime{}), "1970-01-01T00:00:00.000Z");
}

TEST(Clock, ParsesWhatItFormatsAndOffsets) {
  const SystemTime t{std::chrono::milliseconds(1764085254123)};
  EXPECT_EQ(parse_iso8601(iso8601_utc(t)), t);
  EXPECT_EQ(parse_iso8601("2025-11-25T17:40:54.123+02:00"), t);
  EXPECT_EQ(parse_iso8601("2025-11-25T15:40:54.1Z"), t - std::chrono::milliseconds(23));
  EXPECT_EQ(parse_iso8601("2025-11-25T15:40:54"), t - std::chrono::milliseconds(123));
}

TEST(Clock, RejectsMalformed) {
  for (const char* bad :
       {"", "yesterday", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-11-25 15:40:54",
        "2025-11-25T15:40:54.Z", "2025-11-25T15:40:54Zjunk"}) {
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace fai
