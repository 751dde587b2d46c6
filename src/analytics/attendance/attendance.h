#pragma once
// The attendance ledger: recognitions and exit-line crossings -> one record per employee per
// shift. Pure logic (no clock, no database): the AttendanceAnalyzer feeds it and persists what it
// returns, the tests feed it tables.
//
// Shifts are "HH:MM" in the factory's local time (attendance.utc_offset_minutes). A shift that
// ends at or before its start crosses midnight and belongs to the date it starts on. A sighting
// belongs to the shift whose window holds it: the window opens half the off-shift time before the
// start and lasts 24 h, so a night-shift worker seen at 05:30 is still on the shift that started
// yesterday at 22:00, and one arriving at 21:50 is on today's. Employees without a shift get one
// record per local calendar day.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/expected.h"

namespace fai {

// "HH:MM" (00:00..23:59) -> minutes after midnight; anything else -> kInvalidArgument.
Expected<int> parse_hhmm(const std::string& text);

struct AttendancePolicy {
  int grace_minutes = 5;                      // a check-in up to this late is on time
  int early_leave_minutes = 15;               // a check-out this long before the shift end is early
  float min_confidence = 0.7f;                // weaker recognitions are ignored
  std::vector<std::string> entrance_cameras;  // empty: any camera checks in
  int utc_offset_minutes = 0;                 // local time = UTC + this
};

struct EmployeeShift {
  std::string employee_id;
  std::string shift_start;  // "HH:MM", or empty for no shift
  std::string shift_end;
};

// One concrete shift: its date and its start and end instants.
struct ShiftInstance {
  std::string shift_date;  // YYYY-MM-DD, local date the shift starts on
  SystemTime start, end;   // [start, end); a calendar day when the employee has no shift
  bool has_shift = false;
};

// The shift `t` belongs to for `employee` (a malformed shift counts as no shift).
ShiftInstance shift_at(const EmployeeShift& employee, SystemTime t, int utc_offset_minutes);
// The shift that starts on `shift_date` (YYYY-MM-DD); kInvalidArgument on a malformed date.
Expected<ShiftInstance> shift_on(const EmployeeShift& employee, const std::string& shift_date,
                                 int utc_offset_minutes);
// YYYY-MM-DD -> true when it is a real calendar date.
bool valid_date(const std::string& date);

struct Sighting {
  std::string employee_id;
  std::string camera_id;
  SystemTime time;
  float confidence = 0;
};

struct ExitEvent {
  std::string employee_id;
  std::string camera_id;
  SystemTime time;
};

enum class AttendanceStatus { kOnTime, kLate };
const char* to_string(AttendanceStatus status);

struct AttendanceRecord {
  std::string employee_id;
  std::string shift_date;
  SystemTime check_in;
  std::string camera_id;  // where the check-in was seen
  float confidence = 0;   // of the check-in recognition
  AttendanceStatus status = AttendanceStatus::kOnTime;
  std::optional<SystemTime> last_seen;  // last confident sighting
  std::optional<SystemTime> exit_time;  // last 'out' crossing of an exit line
  bool early_leave = false;             // as of the last update (see is_early_leave)

  // The exit-line crossing when there is one and nobody saw them (much) later, else the last
  // sighting.
  std::optional<SystemTime> check_out() const;
  std::string check_out_source() const;  // "exit_line" | "last_seen" | "" (no check-out yet)

  bool operator==(const AttendanceRecord&) const = default;
};

// Early leave: the check-out is more than early_leave_minutes before the shift end. A check-out
// by last sighting only counts once the shift is over (`now` past its end): until then the
// employee may simply not have passed a camera lately. No shift: never early.
bool is_early_leave(const AttendanceRecord& record, const ShiftInstance& shift,
                    const AttendancePolicy& policy, SystemTime now);

// Keeps the open records in memory and applies events to them. Each on_* returns the record
// when it changed in a way worth persisting (a check-in, an earlier check-in from another
// camera, an exit, or the last sighting moving by at least kSeenPersistInterval), so a caller
// writes one row per change, not one per frame. Not thread-safe.
class AttendanceLedger {
 public:
  static constexpr std::chrono::seconds kSeenPersistInterval{30};

  explicit AttendanceLedger(AttendancePolicy policy) : policy_(std::move(policy)) {}

  std::optional<AttendanceRecord> on_sighting(const EmployeeShift& employee, const Sighting& s);
  std::optional<AttendanceRecord> on_exit(const EmployeeShift& employee, const ExitEvent& e);
  // Brings back a record read from the database (start-up after a restart).
  void restore(const AttendanceRecord& record);
  // Drops everything about an employee (deleted).
  void forget(const std::string& employee_id);

  const AttendancePolicy& policy() const { return policy_; }
  // Every record held, with its latest last_seen, ordered by employee then shift_date.
  std::vector<AttendanceRecord> records() const;

 private:
  bool may_check_in(const std::string& camera_id) const;
  void refresh(AttendanceRecord& record, const ShiftInstance& shift, SystemTime now) const;

  AttendancePolicy policy_;
  // (employee, shift_date) -> record, plus what was last persisted of last_seen.
  std::map<std::pair<std::string, std::string>, AttendanceRecord> records_;
  std::map<std::pair<std::string, std::string>, SystemTime> persisted_seen_;
};

// Replays sightings and exits in time order (sightings first at equal times) through a ledger:
// the records at the end, ordered by employee then shift_date. For tests and reports.
std::vector<AttendanceRecord> build_attendance(const std::vector<EmployeeShift>& employees,
                                               std::vector<Sighting> sightings,
                                               std::vector<ExitEvent> exits,
                                               const AttendancePolicy& policy);

}  // namespace fai
