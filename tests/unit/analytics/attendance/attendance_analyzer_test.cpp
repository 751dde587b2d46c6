// The AttendanceAnalyzer on a real SQLite database: recognitions check in, an exit-line 'out'
// crossing by the recognised track checks out, and a second analyzer over the same database
// (a restart) continues the record instead of adding one.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "pipeline/analyzers/attendance_analyzer.h"
#include "store/store.h"

namespace fai {
namespace {

SystemTime at(const std::string& iso) {
  return parse_iso8601(iso).value_or(SystemTime{});
}

class AttendanceAnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "fai-att-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    config_ = {"sqlite:" + dir_ + "/db.sqlite", std::chrono::milliseconds(1000)};
    ASSERT_TRUE(open_store(config_).ok());
    auto store = EmployeeStore::open(config_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    Employee e;
    e.employee_id = "E1";
    e.name = "Ann";
    e.shift_start = "08:00";
    e.shift_end = "17:00";
    ASSERT_TRUE(store_->add(e).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::shared_ptr<AttendanceAnalyzer> analyzer() {
    auto store = EmployeeStore::open(config_);
    EXPECT_TRUE(store.ok());
    AttendanceAnalyzerOptions options;
    options.policy.entrance_cameras = {"gate"};
    options.exit_lines = {"gate/door"};
    return std::make_shared<AttendanceAnalyzer>(
        std::shared_ptr<EmployeeStore>(std::move(*store)),
        [](const std::string& id) -> std::optional<EmployeeShift> {
          if (id != "E1") return std::nullopt;
          return EmployeeShift{"E1", "08:00", "17:00"};
        },
        options);
  }

  // One frame of `camera` at `iso` where track 7 is recognised as `employee`, optionally crossing
  // `line` outwards.
  Status frame(AttendanceAnalyzer& a, const std::string& camera, const std::string& iso,
               const std::string& employee, const std::string& line = "") {
    const cv::Mat image;
    const std::vector<int64_t> ended;
    AnalyzerFrame f{camera, image, at(iso), 1, ended};
    FrameOutcome out;
    out.faces_recognized.push_back({7, employee, "Ann", 0.9f, "cache", false});
    if (!line.empty()) out.crossings.push_back({7, {line, CrossingDirection::kOut, 0}});
    return a.on_frame(f, out);
  }

  AttendanceRecord only_record() {
    auto page = store_->attendance({"2026-01-31", "", 100, 0});
    EXPECT_TRUE(page.ok());
    EXPECT_EQ(page->rows.size(), 1u);
    return page->rows.empty() ? AttendanceRecord{} : page->rows[0].record;
  }

  std::string dir_;
  StoreConfig config_;
  std::unique_ptr<EmployeeStore> store_;
};

TEST_F(AttendanceAnalyzerTest, ChecksInAndOutThroughTheExitLine) {
  auto a = analyzer();
  ASSERT_TRUE(frame(*a, "hall", "2026-01-31T07:50:00Z", "E1").ok());
  EXPECT_FALSE(store_->attendance({"2026-01-31", "", 100, 0})->total)
      << "not an entrance camera: no check-in";
  ASSERT_TRUE(frame(*a, "gate", "2026-01-31T07:58:00Z", "E1").ok());
  ASSERT_TRUE(frame(*a, "hall", "2026-01-31T16:30:00Z", "E1", "door").ok())
      << "door of another camera is no exit line";
  EXPECT_EQ(only_record().check_out_source(), "last_seen");
  ASSERT_TRUE(frame(*a, "gate", "2026-01-31T16:40:00Z", "E1", "door").ok());
  const AttendanceRecord r = only_record();
  EXPECT_EQ(r.check_in, at("2026-01-31T07:58:00Z"));
  EXPECT_EQ(r.status, AttendanceStatus::kOnTime);
  EXPECT_EQ(r.check_out(), at("2026-01-31T16:40:00Z"));
  EXPECT_EQ(r.check_out_source(), "exit_line");
  EXPECT_TRUE(r.early_leave) << "16:40 is more than 15 minutes before 17:00";
}

TEST_F(AttendanceAnalyzerTest, RestartContinuesTheRecord) {
  {
    auto a = analyzer();
    ASSERT_TRUE(frame(*a, "gate", "2026-01-31T08:20:00Z", "E1").ok());
  }
  auto b = analyzer();  // a restart: same database, new process state
  ASSERT_TRUE(b->restore(at("2026-01-31T09:00:00Z")).ok());
  ASSERT_TRUE(frame(*b, "gate", "2026-01-31T09:00:00Z", "E1").ok());
  const AttendanceRecord r = only_record();
  EXPECT_EQ(r.check_in, at("2026-01-31T08:20:00Z"));
  EXPECT_EQ(r.status, AttendanceStatus::kLate);
  EXPECT_EQ(r.last_seen, at("2026-01-31T09:00:00Z"));
}

TEST_F(AttendanceAnalyzerTest, ADeletedEmployeeIsNotRecorded) {
  auto a = analyzer();
  ASSERT_TRUE(store_->remove("E1").ok());
  a->forget("E1");
  ASSERT_TRUE(frame(*a, "gate", "2026-01-31T08:00:00Z", "E1").ok());
  EXPECT_EQ(store_->attendance({"", "", 100, 0})->total, 0);
}

}  // namespace
}  // namespace fai
