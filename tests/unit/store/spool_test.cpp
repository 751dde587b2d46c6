// CrossingSpool on its own: torn lines, truncation and compaction (no database involved).

#include "store/spool.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "store_fixture.h"

namespace fai::test {
namespace {

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "fai-spool-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/crossings.spool";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CrossingSpool::Opened open(uint64_t compact_bytes = 1 << 20) {
    auto opened = CrossingSpool::open(path_, compact_bytes);
    EXPECT_TRUE(opened.ok());
    return std::move(*opened);
  }

  std::vector<CrossingRow> rows(int n) {
    std::vector<CrossingRow> out;
    for (int i = 0; i < n; ++i) out.push_back(crossing("cam", i, CrossingDirection::kIn, i));
    return out;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SpoolTest, AppendedRowsAreReplayedInOrder) {
  {
    auto opened = open();
    EXPECT_TRUE(opened.pending.empty());
    for (const auto& row : rows(3)) ASSERT_TRUE(opened.spool->append(row).ok());
  }
  EXPECT_EQ(open().pending, rows(3));
}

TEST_F(SpoolTest, TornLastLineIsDroppedAndCutFromTheFile) {
  { ASSERT_TRUE(open().spool->append(rows(1)[0]).ok()); }
  std::ofstream(path_, std::ios::app) << R"({"camera_id":"cam","line_id":"do)";
  auto opened = open();
  EXPECT_EQ(opened.pending, rows(1));
  ASSERT_TRUE(opened.spool->append(rows(2)[1]).ok());
  opened.spool.reset();
  EXPECT_EQ(open().pending, rows(2));
}

TEST_F(SpoolTest, FileEmptiesOnceEveryRowIsCommitted) {
  auto opened = open();
  for (const auto& row : rows(3)) ASSERT_TRUE(opened.spool->append(row).ok());
  ASSERT_TRUE(opened.spool->mark_committed(2).ok());
  EXPECT_EQ(opened.spool->pending_rows(), 1u);
  EXPECT_GT(std::filesystem::file_size(path_), 0u);
  ASSERT_TRUE(opened.spool->mark_committed(1).ok());
  EXPECT_EQ(std::filesystem::file_size(path_), 0u);
  EXPECT_EQ(opened.spool->file_bytes(), 0u);
}

TEST_F(SpoolTest, CommittedPrefixIsCompactedAway) {
  auto opened = open(/*compact_bytes=*/1);
  const auto five = rows(5);
  for (const auto& row : rows(4)) ASSERT_TRUE(opened.spool->append(row).ok());
  ASSERT_TRUE(opened.spool->mark_committed(1).ok());
  ASSERT_TRUE(opened.spool->append(five[4]).ok());  // appends still land after compaction
  EXPECT_EQ(std::filesystem::file_size(path_), opened.spool->file_bytes());
  opened.spool.reset();
  const std::vector<CrossingRow> expected(five.begin() + 1, five.end());
  EXPECT_EQ(open().pending, expected);
}

}  // namespace
}  // namespace fai::test
