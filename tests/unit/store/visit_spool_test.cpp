// VisitSpool on its own: round trip of every field, order, torn and foreign lines, clear (no
// database involved).

#include "store/visit_spool.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "store_fixture.h"

namespace fai::test {
namespace {

class VisitSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "fai-vspool-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/visits.spool";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  VisitSpool::Opened open() {
    auto opened = VisitSpool::open(path_);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return std::move(*opened);
  }
  uintmax_t size() const { return std::filesystem::file_size(path_); }

  std::string dir_, path_;
};

VehicleVisit full_visit() {
  VehicleVisit v;
  v.visit_key = "gate/north/7/in/1764000000000";  // a camera id with a '/'
  v.camera_id = "gate/north";
  v.track_id = 7;
  v.plate_number = "KA01AB1234";
  v.vehicle_type = "truck";
  v.entry_time = at_ms(0);
  v.exit_time = at_ms(60000);
  v.ocr_confidence = 0.875f;
  v.status = "blacklisted";
  v.matched_plate = "KA01AB1284";
  v.last_seen = at_ms(59000);
  v.closed_reason = "restart";
  return v;
}

TEST_F(VisitSpoolTest, AppendedVisitsComeBackInOrderWithEveryField) {
  VehicleVisit open_visit;  // nothing optional set
  open_visit.visit_key = "yard/3/seen/1764000000000";
  open_visit.camera_id = "yard";
  open_visit.track_id = 3;
  open_visit.status = "unread";
  {
    auto opened = open();
    EXPECT_TRUE(opened.pending.empty());
    ASSERT_TRUE(opened.spool->append(full_visit()));
    ASSERT_TRUE(opened.spool->append(open_visit));
    EXPECT_EQ(opened.spool->file_bytes(), size());
  }  // no clear(): a crash
  auto again = open();
  ASSERT_EQ(again.pending.size(), 2u);
  EXPECT_EQ(again.pending[0], full_visit());
  EXPECT_EQ(again.pending[1], open_visit);
}

TEST_F(VisitSpoolTest, ATornLastLineAndForeignLinesAreDropped) {
  {
    auto opened = open();
    ASSERT_TRUE(opened.spool->append(full_visit()));
  }
  const uintmax_t one_line = size();
  {
    std::ofstream out(path_, std::ios::app);
    out << "{\"not\": \"a visit\"}\n";
    out << "{\"visit_key\": \"gate/1/in/5\", \"camera_id\": \"ga";  // the append never returned
  }
  auto opened = open();
  ASSERT_EQ(opened.pending.size(), 1u);
  EXPECT_EQ(opened.pending[0], full_visit());
  EXPECT_EQ(size(), one_line);  // rewritten clean, so the next append starts a line of its own
  ASSERT_TRUE(opened.spool->append(full_visit()));
  opened.spool.reset();
  EXPECT_EQ(open().pending.size(), 2u);
}

TEST_F(VisitSpoolTest, ClearEmptiesTheFileAndAppendsStartAfresh) {
  auto opened = open();
  ASSERT_TRUE(opened.spool->append(full_visit()));
  ASSERT_TRUE(opened.spool->clear());
  EXPECT_EQ(size(), 0u);
  EXPECT_EQ(opened.spool->file_bytes(), 0u);
  VehicleVisit later = full_visit();
  later.visit_key = "gate/north/8/in/1764000001000";
  ASSERT_TRUE(opened.spool->append(later));
  opened.spool.reset();
  auto again = open();
  ASSERT_EQ(again.pending.size(), 1u);
  EXPECT_EQ(again.pending[0].visit_key, later.visit_key);
}

TEST_F(VisitSpoolTest, ADirectoryThatDoesNotExistIsAnError) {
  auto opened = VisitSpool::open(dir_ + "/missing/visits.spool");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(opened.error().message.find("missing/visits.spool"), std::string::npos);
}

}  // namespace
}  // namespace fai::test
