#include "analytics/attendance/attendance.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

namespace fai {
namespace {

using std::chrono::days;
using std::chrono::minutes;

// A person seen this long after crossing out came back in: the sighting is the check-out.
constexpr minutes kSeenAfterExitSlack{2};

// Local midnight of `date`, as a UTC instant.
SystemTime local_midnight(std::chrono::sys_days date, int utc_offset_minutes) {
  return SystemTime(date) - minutes(utc_offset_minutes);
}

std::chrono::sys_days local_day_of(SystemTime t, int utc_offset_minutes) {
  return std::chrono::floor<days>(t + minutes(utc_offset_minutes));
}

std::string format_date(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

std::optional<std::chrono::sys_days> parse_date(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                        std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd);
}

struct ShiftMinutes {
  int start = 0;
  int length = 0;  // minutes, 1..1440
};

std::optional<ShiftMinutes> shift_minutes(const EmployeeShift& e) {
  auto start = parse_hhmm(e.shift_start);
  auto end = parse_hhmm(e.shift_end);
  if (!start || !end) return std::nullopt;
  int length = *end - *start;
  if (length <= 0) length += 24 * 60;  // crosses midnight (or a full day when equal)
  return ShiftMinutes{*start, length};
}

ShiftInstance instance(std::chrono::sys_days day, const std::optional<ShiftMinutes>& shift,
                       int utc_offset_minutes) {
  const SystemTime midnight = local_midnight(day, utc_offset_minutes);
  if (!shift) return {format_date(day), midnight, midnight + days(1), false};
  const SystemTime start = midnight + minutes(shift->start);
  return {format_date(day), start, start + minutes(shift->length), true};
}

}  // namespace

Expected<int> parse_hhmm(const std::string& text) {
  const bool shaped = text.size() == 5 && text[2] == ':' &&
                      std::all_of(text.begin(), text.end(),
                                  [](char c) { return c == ':' || (c >= '0' && c <= '9'); });
  if (shaped) {
    const int h = std::stoi(text.substr(0, 2));
    const int m = std::stoi(text.substr(3, 2));
    if (h < 24 && m < 60) return h * 60 + m;
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "'" + text + "' is not a time HH:MM (00:00-23:59)");
}

bool valid_date(const std::string& date) {
  return parse_date(date).has_value();
}

ShiftInstance shift_at(const EmployeeShift& employee, SystemTime t, int utc_offset_minutes) {
  const auto shift = shift_minutes(employee);
  if (!shift)
    return instance(local_day_of(t, utc_offset_minutes), std::nullopt, utc_offset_minutes);
  // The window of the shift starting on day d opens half the off-shift time before its start.
  const minutes lead((24 * 60 - shift->length) / 2);
  const auto day = local_day_of(t + lead - minutes(shift->start), utc_offset_minutes);
  return instance(day, shift, utc_offset_minutes);
}

Expected<ShiftInstance> shift_on(const EmployeeShift& employee, const std::string& shift_date,
                                 int utc_offset_minutes) {
  const auto day = parse_date(shift_date);
  if (!day) {
    return make_error(ErrorCode::kInvalidArgument, "'" + shift_date + "' is not a date YYYY-MM-DD");
  }
  return instance(*day, shift_minutes(employee), utc_offset_minutes);
}

const char* to_string(AttendanceStatus status) {
  return status == AttendanceStatus::kLate ? "late" : "on_time";
}

std::optional<SystemTime> AttendanceRecord::check_out() const {
  if (exit_time && (!last_seen || *last_seen <= *exit_time + kSeenAfterExitSlack)) return exit_time;
  return last_seen;
}

std::string AttendanceRecord::check_out_source() const {
  const auto out = check_out();
  if (!out) return "";
  return exit_time && *out == *exit_time ? "exit_line" : "last_seen";
}

bool is_early_leave(const AttendanceRecord& record, const ShiftInstance& shift,
                    const AttendancePolicy& policy, SystemTime now) {
  const auto out = record.check_out();
  if (!shift.has_shift || !out) return false;
  const bool settled = record.check_out_source() == "exit_line" || now >= shift.end;
  return settled && *out < shift.end - minutes(policy.early_leave_minutes);
}

bool AttendanceLedger::may_check_in(const std::string& camera_id) const {
  const auto& cams = policy_.entrance_cameras;
  return cams.empty() || std::find(cams.begin(), cams.end(), camera_id) != cams.end();
}

void AttendanceLedger::refresh(AttendanceRecord& record, const ShiftInstance& shift,
                               SystemTime now) const {
  const bool late =
      shift.has_shift && record.check_in > shift.start + minutes(policy_.grace_minutes);
  record.status = late ? AttendanceStatus::kLate : AttendanceStatus::kOnTime;
  record.early_leave = is_early_leave(record, shift, policy_, now);
}

std::optional<AttendanceRecord> AttendanceLedger::on_sighting(const EmployeeShift& employee,
                                                              const Sighting& s) {
  if (s.confidence < policy_.min_confidence) return std::nullopt;
  const ShiftInstance shift = shift_at(employee, s.time, policy_.utc_offset_minutes);
  const auto key = std::make_pair(employee.employee_id, shift.shift_date);
  auto it = records_.find(key);
  if (it == records_.end()) {
    if (!may_check_in(s.camera_id)) return std::nullopt;
    AttendanceRecord record;
    record.employee_id = employee.employee_id;
    record.shift_date = shift.shift_date;
    record.check_in = s.time;
    record.camera_id = s.camera_id;
    record.confidence = s.confidence;
    record.last_seen = s.time;
    refresh(record, shift, s.time);
    persisted_seen_[key] = s.time;
    return records_[key] = record;
  }
  AttendanceRecord& record = it->second;
  bool changed = false;
  if (s.time < record.check_in && may_check_in(s.camera_id)) {  // another camera saw them first
    record.check_in = s.time;
    record.camera_id = s.camera_id;
    record.confidence = s.confidence;
    changed = true;
  }
  if (!record.last_seen || s.time > *record.last_seen) {
    record.last_seen = s.time;
    const auto persisted = persisted_seen_.find(key);
    if (persisted == persisted_seen_.end() || s.time - persisted->second >= kSeenPersistInterval) {
      changed = true;
    }
  }
  const AttendanceRecord before = record;
  refresh(record, shift, s.time);
  if (!changed && record == before) return std::nullopt;
  persisted_seen_[key] = *record.last_seen;
  return record;
}

std::optional<AttendanceRecord> AttendanceLedger::on_exit(const EmployeeShift& employee,
                                                          const ExitEvent& e) {
  const ShiftInstance shift = shift_at(employee, e.time, policy_.utc_offset_minutes);
  auto it = records_.find({employee.employee_id, shift.shift_date});
  if (it == records_.end()) return std::nullopt;  // never checked in: nothing to check out
  AttendanceRecord& record = it->second;
  if (record.exit_time && *record.exit_time >= e.time) return std::nullopt;
  record.exit_time = e.time;
  refresh(record, shift, e.time);
  return record;
}

void AttendanceLedger::restore(const AttendanceRecord& record) {
  const auto key = std::make_pair(record.employee_id, record.shift_date);
  records_[key] = record;
  if (record.last_seen) persisted_seen_[key] = *record.last_seen;
}

std::vector<AttendanceRecord> AttendanceLedger::records() const {
  std::vector<AttendanceRecord> out;
  for (const auto& kv : records_) out.push_back(kv.second);
  return out;
}

void AttendanceLedger::forget(const std::string& employee_id) {
  std::erase_if(records_, [&](const auto& kv) { return kv.first.first == employee_id; });
  std::erase_if(persisted_seen_, [&](const auto& kv) { return kv.first.first == employee_id; });
}

std::vector<AttendanceRecord> build_attendance(const std::vector<EmployeeShift>& employees,
                                               std::vector<Sighting> sightings,
                                               std::vector<ExitEvent> exits,
                                               const AttendancePolicy& policy) {
  std::map<std::string, EmployeeShift> by_id;
  for (const EmployeeShift& e : employees) by_id[e.employee_id] = e;
  auto shift_of = [&](const std::string& id) {
    const auto it = by_id.find(id);
    return it != by_id.end() ? it->second : EmployeeShift{id, "", ""};
  };
  struct Event {
    SystemTime time;
    int kind;  // 0 sighting, 1 exit
    size_t index;
  };
  std::vector<Event> events;
  for (size_t i = 0; i < sightings.size(); ++i) events.push_back({sightings[i].time, 0, i});
  for (size_t i = 0; i < exits.size(); ++i) events.push_back({exits[i].time, 1, i});
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::tie(a.time, a.kind) < std::tie(b.time, b.kind);
  });
  AttendanceLedger ledger(policy);
  for (const Event& ev : events) {
    if (ev.kind == 0) {
      (void)ledger.on_sighting(shift_of(sightings[ev.index].employee_id), sightings[ev.index]);
    } else {
      (void)ledger.on_exit(shift_of(exits[ev.index].employee_id), exits[ev.index]);
    }
  }
  return ledger.records();
}

}  // namespace fai
