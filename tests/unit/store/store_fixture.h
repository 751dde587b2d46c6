#pragma once
// Shared set-up for the store suites: a temp dir, a private database of the backend this binary
// targets, and helpers that build rows at exact milliseconds.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/store.h"
#include "test_database.h"

namespace fai::test {

inline constexpr long long kBaseMs = 1764000000000;  // 2025-11-24T16:00:00Z

inline SystemTime at_ms(long long offset_ms) {
  return SystemTime(std::chrono::milliseconds(kBaseMs + offset_ms));
}

inline CrossingRow crossing(const std::string& camera, int64_t track, CrossingDirection direction,
                            long long offset_ms) {
  CrossingRow row{camera, "door", track, 0, direction, at_ms(offset_ms), ""};
  row.event_key = crossing_event_key(row);
  return row;
}

inline MetricRow metric(const std::string& camera, int64_t frame, double processing_ms,
                        long long offset_ms) {
  return {camera, frame, processing_ms, 1, 0.001, 2, at_ms(offset_ms)};
}

// Parameterised by backend so that test names say which one ran (".../sqlite", ".../postgres").
class StoreFixture : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (const auto reason = backend_missing(GetParam())) {
      if (backend_required()) FAIL() << *reason;
      GTEST_SKIP() << *reason;
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "fai-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    db_ = make_test_database(GetParam(), dir_);
  }

  void TearDown() override {
    db_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  StoreConfig config() const { return {db_->url(), std::chrono::milliseconds(100)}; }

  std::unique_ptr<Store> open() {
    auto store = open_store(config());
    if (!store.ok()) {
      ADD_FAILURE() << store.error().message;
      return nullptr;
    }
    return std::move(*store);
  }

  long long count(const std::string& table) {
    return std::stoll(db_->scalar("SELECT COUNT(*) FROM " + table));
  }

  std::string dir_;
  std::unique_ptr<TestDatabase> db_;
};

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return to_string(info.param);
}

}  // namespace fai::test

// Runs `suite` against this binary's backend.
#define FAI_STORE_SUITE_FOR_THIS_BACKEND(suite)                                          \
  INSTANTIATE_TEST_SUITE_P(Backend, suite, ::testing::Values(::fai::test::kThisBackend), \
                           ::fai::test::backend_name)
