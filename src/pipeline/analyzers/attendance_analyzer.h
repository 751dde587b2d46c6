#pragma once
// Attendance from the frame stream: recognised person tracks (FrameOutcome::faces_recognized,
// from the FaceAnalyzer that runs before this one) check employees in and keep their last
// sighting; an 'out' crossing of an exit line (attendance.exit_lines) by a recognised track
// checks them out. Every change is written to the database before on_frame() returns, so a
// restart (kill -9 included) loses no check-in, and the ledger is rebuilt from the database at
// start-up so it cannot add a second record for a shift.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "analytics/attendance/attendance.h"
#include "pipeline/frame_analyzer.h"
#include "store/employee_store.h"

namespace fai {

struct AttendanceAnalyzerOptions {
  AttendancePolicy policy;
  // "camera/line" (that camera's line) or "line" (a line of that id on any camera).
  std::vector<std::string> exit_lines;
};

// The shift of an enrolled employee; nullopt when the id is unknown (deleted meanwhile).
using ShiftLookup = std::function<std::optional<EmployeeShift>(const std::string& employee_id)>;

struct AttendanceAnalyzerStats {
  int64_t sightings = 0;      // recognised tracks seen (one per track per frame)
  int64_t exits = 0;          // exit-line crossings by recognised tracks
  int64_t writes = 0;         // records written
  int64_t failed_writes = 0;  // writes that failed (retried on the next frame)
};

class AttendanceAnalyzer : public FrameAnalyzer {
 public:
  AttendanceAnalyzer(std::shared_ptr<EmployeeStore> store, ShiftLookup shifts,
                     AttendanceAnalyzerOptions options);

  // Loads the records of the last two shift dates before `now` into the ledger.
  Status restore(SystemTime now);
  std::string name() const override { return "attendance"; }
  Status on_frame(const AnalyzerFrame& frame, FrameOutcome& out) override;
  // The employee was deleted: drop their open records and track links.
  void forget(const std::string& employee_id);
  AttendanceAnalyzerStats stats() const;

 private:
  bool is_exit_line(const std::string& camera, const std::string& line) const;
  Status flush(SystemTime now);  // writes pending_ ; caller holds mutex_

  std::shared_ptr<EmployeeStore> store_;
  ShiftLookup shifts_;
  const std::set<std::string> exit_lines_;

  mutable std::mutex mutex_;  // one ledger for all cameras
  AttendanceLedger ledger_;
  std::map<std::pair<std::string, int64_t>, std::string> track_employee_;    // (camera, track)
  std::map<std::pair<std::string, std::string>, AttendanceRecord> pending_;  // to write
  AttendanceAnalyzerStats stats_;
};

}  // namespace fai
