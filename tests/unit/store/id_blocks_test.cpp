#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/id_blocks.h"

namespace fai {
namespace {

namespace fs = std::filesystem;

class IdBlocksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() /
             ("fai_ids_" +
              std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())))
                .string();
    fs::remove(path_);
  }
  void TearDown() override { fs::remove(path_); }

  std::unique_ptr<IdBlocks> open(int64_t at_least = 1) {
    auto ids = IdBlocks::open(path_, at_least, 10);
    EXPECT_TRUE(ids.ok()) << ids.error().message;
    return std::move(ids).value();
  }
  static std::vector<int64_t> take(IdBlocks& ids, int n) {
    std::vector<int64_t> out;
    for (int i = 0; i < n; ++i) out.push_back(*ids.next());
    return out;
  }

  std::string path_;
};

TEST_F(IdBlocksTest, CountsUpAcrossBlocks) {
  auto ids = open(5);
  EXPECT_EQ(take(*ids, 12), (std::vector<int64_t>{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}));
}

TEST_F(IdBlocksTest, AfterACrashResumesAboveTheReservedBlock) {
  auto crashed = open();
  take(*crashed, 3);        // 1..3 used, 1..10 reserved on disk
  auto restarted = open();  // what a process started after kill -9 sees
  EXPECT_EQ(*restarted->next(), 11);
}

TEST_F(IdBlocksTest, CleanCloseContinuesWithoutAGap) {
  {
    auto first = open();
    take(*first, 3);
    ASSERT_TRUE(first->close().ok());
  }
  EXPECT_EQ(*open()->next(), 4);
}

TEST_F(IdBlocksTest, DatabaseHighWaterMarkWins) {
  { take(*open(), 2); }
  EXPECT_EQ(*open(500)->next(), 500);
}

TEST_F(IdBlocksTest, CorruptMarkIsAnError) {
  std::ofstream(path_) << "not a number";
  auto ids = IdBlocks::open(path_, 1);
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.error().code, ErrorCode::kCorrupt);
}

TEST_F(IdBlocksTest, UnwritableLocationIsAnErrorOnFirstUse) {
  auto ids = IdBlocks::open("/nonexistent-dir/ids", 1);
  ASSERT_TRUE(ids.ok());
  auto id = (*ids)->next();
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace fai
