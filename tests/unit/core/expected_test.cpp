#include <gtest/gtest.h>

#include <memory>

#include "core/expected.h"

namespace fai {
namespace {

Expected<int> parse_positive(int v) {
  if (v <= 0) return make_error(ErrorCode::kInvalidArgument, "not positive");
  return v;
}

TEST(Expected, CarriesValueOrError) {
  auto good = parse_positive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_STREQ(to_string(bad.error().code), "invalid_argument");
}

TEST(Expected, MovesOnlyTypes) {
  Expected<std::unique_ptr<int>> p(std::make_unique<int>(7));
  std::unique_ptr<int> owned = std::move(p).value();
  EXPECT_EQ(*owned, 7);
}

TEST(ExpectedDeathTest, ValueOfErrorAborts) {
  auto bad = parse_positive(0);
  EXPECT_DEATH((void)bad.value(), "check failed");
}

TEST(Status, DefaultIsOk) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  Status err = make_error(ErrorCode::kNotFound, "x");
  EXPECT_FALSE(err.ok());
  EXPECT_EQ(err.error().message, "x");
}

}  // namespace
}  // namespace fai
