// The attendance ledger on tables of recognitions and exits: shifts, grace, night shifts,
// several entrance cameras, early leave, employees without a shift.

#include <gtest/gtest.h>

#include "analytics/attendance/attendance.h"

namespace fai {
namespace {

SystemTime at(const std::string& iso) {
  auto t = parse_iso8601(iso);
  EXPECT_TRUE(t.has_value()) << iso;
  return t.value_or(SystemTime{});
}

std::string iso(const std::optional<SystemTime>& t) {
  return t ? iso8601_utc(*t) : "-";
}

TEST(ParseHhmm, AcceptsClockTimesOnly) {
  EXPECT_EQ(*parse_hhmm("00:00"), 0);
  EXPECT_EQ(*parse_hhmm("08:30"), 510);
  EXPECT_EQ(*parse_hhmm("23:59"), 1439);
  for (const char* bad : {"24:00", "8:30", "08:60", "0830", "08:3a", "", " 08:30", "-1:00"}) {
    EXPECT_FALSE(parse_hhmm(bad).ok()) << bad;
  }
}

TEST(ShiftAt, NightShiftBelongsToTheDateItStartsOn) {
  const EmployeeShift night{"n", "22:00", "06:00"};
  struct Case {
    const char* time;
    const char* shift_date;
  };
  for (const Case& c :
       {Case{"2026-01-31T21:50:00Z", "2026-01-31"}, Case{"2026-02-01T05:30:00Z", "2026-01-31"},
        Case{"2026-02-01T13:59:00Z", "2026-01-31"}, Case{"2026-02-01T14:00:00Z", "2026-02-01"}}) {
    EXPECT_EQ(shift_at(night, at(c.time), 0).shift_date, c.shift_date) << c.time;
  }
  const ShiftInstance s = shift_at(night, at("2026-02-01T05:30:00Z"), 0);
  EXPECT_EQ(iso(s.start), "2026-01-31T22:00:00.000Z");
  EXPECT_EQ(iso(s.end), "2026-02-01T06:00:00.000Z");
}

TEST(ShiftAt, LocalTimeOffsetMovesTheShift) {
  // 08:00-17:00 at UTC+2 is 06:00-15:00 UTC.
  const ShiftInstance s = shift_at({"d", "08:00", "17:00"}, at("2026-01-31T06:10:00Z"), 120);
  EXPECT_EQ(s.shift_date, "2026-01-31");
  EXPECT_EQ(iso(s.start), "2026-01-31T06:00:00.000Z");
  // Without a shift the record is per local calendar day: 23:30 UTC is already tomorrow.
  EXPECT_EQ(shift_at({"x", "", ""}, at("2026-01-31T23:30:00Z"), 120).shift_date, "2026-02-01");
}

TEST(ShiftOn, RejectsBadDates) {
  EXPECT_TRUE(shift_on({"d", "08:00", "17:00"}, "2026-02-28", 0).ok());
  for (const char* bad : {"2026-02-30", "2026-13-01", "26-01-01", "2026-1-01", "2026-01-01x"}) {
    EXPECT_FALSE(shift_on({"d", "08:00", "17:00"}, bad, 0).ok()) << bad;
  }
}

struct Expect {
  std::string employee_id, shift_date, check_in, camera, status, check_out, source;
  bool early_leave = false;
};

struct LedgerCase {
  const char* name;
  std::vector<Sighting> sightings;
  std::vector<ExitEvent> exits;
  std::vector<Expect> expected;
};

const std::vector<EmployeeShift> kEmployees = {
    {"day", "08:00", "17:00"}, {"night", "22:00", "06:00"}, {"free", "", ""}};

std::vector<LedgerCase> ledger_cases() {
  return {
      {"on_time_then_exit_line",
       {{"day", "gate", at("2026-01-31T07:55:00Z"), 0.9f},
        {"day", "hall", at("2026-01-31T12:00:00Z"), 0.9f}},
       {{"day", "gate", at("2026-01-31T17:05:00Z")}},
       {{"day", "2026-01-31", "2026-01-31T07:55:00.000Z", "gate", "on_time",
         "2026-01-31T17:05:00.000Z", "exit_line", false}}},
      {"grace_edge_is_on_time",
       {{"day", "gate", at("2026-01-31T08:05:00Z"), 0.9f}},
       {},
       {{"day", "2026-01-31", "2026-01-31T08:05:00.000Z", "gate", "on_time",
         "2026-01-31T08:05:00.000Z", "last_seen", false}}},
      {"one_second_after_grace_is_late",
       {{"day", "gate", at("2026-01-31T08:05:01Z"), 0.9f}},
       {},
       {{"day", "2026-01-31", "2026-01-31T08:05:01.000Z", "gate", "late",
         "2026-01-31T08:05:01.000Z", "last_seen", false}}},
      {"weak_recognition_does_not_check_in",
       {{"day", "gate", at("2026-01-31T07:50:00Z"), 0.5f},
        {"day", "gate", at("2026-01-31T08:20:00Z"), 0.8f}},
       {},
       {{"day", "2026-01-31", "2026-01-31T08:20:00.000Z", "gate", "late",
         "2026-01-31T08:20:00.000Z", "last_seen", false}}},
      {"two_entrance_cameras_one_record_earliest_wins",
       {{"day", "gate", at("2026-01-31T07:58:00Z"), 0.9f},
        {"day", "door", at("2026-01-31T07:57:00Z"), 0.8f},  // arrives out of order
        {"day", "gate", at("2026-01-31T07:59:00Z"), 0.95f}},
       {},
       {{"day", "2026-01-31", "2026-01-31T07:57:00.000Z", "door", "on_time",
         "2026-01-31T07:59:00.000Z", "last_seen", false}}},
      {"non_entrance_camera_does_not_check_in_but_updates_last_seen",
       {{"day", "hall", at("2026-01-31T07:30:00Z"), 0.9f},
        {"day", "gate", at("2026-01-31T08:10:00Z"), 0.9f},
        {"day", "hall", at("2026-01-31T16:58:00Z"), 0.9f}},
       {},
       {{"day", "2026-01-31", "2026-01-31T08:10:00.000Z", "gate", "late",
         "2026-01-31T16:58:00.000Z", "last_seen", false}}},
      {"early_leave_through_exit_line",
       {{"day", "gate", at("2026-01-31T07:59:00Z"), 0.9f}},
       {{"day", "gate", at("2026-01-31T16:44:00Z")}},
       {{"day", "2026-01-31", "2026-01-31T07:59:00.000Z", "gate", "on_time",
         "2026-01-31T16:44:00.000Z", "exit_line", true}}},
      {"leaving_within_early_leave_minutes_is_not_early",
       {{"day", "gate", at("2026-01-31T07:59:00Z"), 0.9f}},
       {{"day", "gate", at("2026-01-31T16:45:00Z")}},
       {{"day", "2026-01-31", "2026-01-31T07:59:00.000Z", "gate", "on_time",
         "2026-01-31T16:45:00.000Z", "exit_line", false}}},
      {"seen_again_after_exit_checks_out_later",
       {{"day", "gate", at("2026-01-31T07:59:00Z"), 0.9f},
        {"day", "gate", at("2026-01-31T13:00:00Z"), 0.9f}},
       {{"day", "gate", at("2026-01-31T12:00:00Z")}},
       {{"day", "2026-01-31", "2026-01-31T07:59:00.000Z", "gate", "on_time",
         "2026-01-31T13:00:00.000Z", "last_seen", false}}},
      {"exit_without_check_in_is_ignored", {}, {{"day", "gate", at("2026-01-31T17:00:00Z")}}, {}},
      {"night_shift_across_midnight_is_one_record",
       {{"night", "gate", at("2026-01-31T22:07:00Z"), 0.9f},
        {"night", "gate", at("2026-02-01T03:00:00Z"), 0.9f}},
       {{"night", "gate", at("2026-02-01T06:02:00Z")}},
       {{"night", "2026-01-31", "2026-01-31T22:07:00.000Z", "gate", "late",
         "2026-02-01T06:02:00.000Z", "exit_line", false}}},
      {"night_shift_two_nights_two_records",
       {{"night", "gate", at("2026-01-31T21:55:00Z"), 0.9f},
        {"night", "gate", at("2026-02-01T21:58:00Z"), 0.9f}},
       {},
       {{"night", "2026-01-31", "2026-01-31T21:55:00.000Z", "gate", "on_time",
         "2026-01-31T21:55:00.000Z", "last_seen", false},
        {"night", "2026-02-01", "2026-02-01T21:58:00.000Z", "gate", "on_time",
         "2026-02-01T21:58:00.000Z", "last_seen", false}}},
      {"no_shift_records_by_calendar_day_never_late",
       {{"free", "gate", at("2026-01-31T11:00:00Z"), 0.9f},
        {"free", "gate", at("2026-01-31T23:59:00Z"), 0.9f},
        {"free", "gate", at("2026-02-01T00:01:00Z"), 0.9f}},
       {{"free", "gate", at("2026-01-31T12:00:00Z")}},
       {{"free", "2026-01-31", "2026-01-31T11:00:00.000Z", "gate", "on_time",
         "2026-01-31T23:59:00.000Z", "last_seen", false},
        {"free", "2026-02-01", "2026-02-01T00:01:00.000Z", "gate", "on_time",
         "2026-02-01T00:01:00.000Z", "last_seen", false}}},
  };
}

class Ledger : public ::testing::TestWithParam<LedgerCase> {};

TEST_P(Ledger, BuildsOneRecordPerEmployeePerShift) {
  const LedgerCase& c = GetParam();
  AttendancePolicy policy;  // grace 5, early leave 15, min confidence 0.7
  policy.entrance_cameras = {"gate", "door"};
  const auto records = build_attendance(kEmployees, c.sightings, c.exits, policy);
  ASSERT_EQ(records.size(), c.expected.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const AttendanceRecord& r = records[i];
    const Expect& e = c.expected[i];
    EXPECT_EQ(r.employee_id, e.employee_id);
    EXPECT_EQ(r.shift_date, e.shift_date);
    EXPECT_EQ(iso(r.check_in), e.check_in);
    EXPECT_EQ(r.camera_id, e.camera);
    EXPECT_EQ(to_string(r.status), e.status);
    EXPECT_EQ(iso(r.check_out()), e.check_out);
    EXPECT_EQ(r.check_out_source(), e.source);
    EXPECT_EQ(r.early_leave, e.early_leave);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, Ledger, ::testing::ValuesIn(ledger_cases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(EarlyLeave, LastSightingCountsOnlyOnceTheShiftIsOver) {
  AttendancePolicy policy;
  const EmployeeShift day{"day", "08:00", "17:00"};
  const auto records = build_attendance({day},
                                        {{"day", "gate", at("2026-01-31T08:00:00Z"), 0.9f},
                                         {"day", "gate", at("2026-01-31T15:00:00Z"), 0.9f}},
                                        {}, policy);
  ASSERT_EQ(records.size(), 1u);
  const ShiftInstance shift = *shift_on(day, "2026-01-31", 0);
  EXPECT_FALSE(is_early_leave(records[0], shift, policy, at("2026-01-31T16:00:00Z")));
  EXPECT_TRUE(is_early_leave(records[0], shift, policy, at("2026-01-31T17:00:00Z")));
}

TEST(AttendanceLedger, ReportsChangesNotEveryFrame) {
  AttendanceLedger ledger(AttendancePolicy{});
  const EmployeeShift day{"day", "08:00", "17:00"};
  const SystemTime t0 = at("2026-01-31T08:00:00Z");
  EXPECT_TRUE(ledger.on_sighting(day, {"day", "gate", t0, 0.9f}));  // check-in
  EXPECT_FALSE(ledger.on_sighting(day, {"day", "gate", t0 + std::chrono::seconds(1), 0.9f}));
  EXPECT_FALSE(ledger.on_sighting(day, {"day", "gate", t0 + std::chrono::seconds(29), 0.9f}));
  const auto moved = ledger.on_sighting(day, {"day", "gate", t0 + std::chrono::seconds(31), 0.9f});
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved->last_seen, t0 + std::chrono::seconds(31));
  EXPECT_TRUE(ledger.on_exit(day, {"day", "gate", t0 + std::chrono::hours(9)}));
  EXPECT_FALSE(ledger.on_exit(day, {"day", "gate", t0 + std::chrono::hours(8)}))
      << "an older exit changes nothing";
}

TEST(AttendanceLedger, RestoredRecordKeepsTheFirstCheckIn) {
  AttendanceLedger before(AttendancePolicy{});
  const EmployeeShift day{"day", "08:00", "17:00"};
  const auto first = before.on_sighting(day, {"day", "gate", at("2026-01-31T07:58:00Z"), 0.9f});
  ASSERT_TRUE(first);
  AttendanceLedger after(AttendancePolicy{});  // a restart: the record comes from the database
  after.restore(*first);
  const auto later = after.on_sighting(day, {"day", "gate", at("2026-01-31T09:00:00Z"), 0.9f});
  ASSERT_TRUE(later);
  EXPECT_EQ(iso(later->check_in), "2026-01-31T07:58:00.000Z");
  EXPECT_EQ(later->status, AttendanceStatus::kOnTime);
}

}  // namespace
}  // namespace fai
