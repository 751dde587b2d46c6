#include "pipeline/analyzers/attendance_analyzer.h"

namespace fai {

AttendanceAnalyzer::AttendanceAnalyzer(std::shared_ptr<EmployeeStore> store, ShiftLookup shifts,
                                       AttendanceAnalyzerOptions options)
    : store_(std::move(store)),
      shifts_(std::move(shifts)),
      exit_lines_(options.exit_lines.begin(), options.exit_lines.end()),
      ledger_(std::move(options.policy)) {}

Status AttendanceAnalyzer::restore(SystemTime now) {
  // A shift that started up to two days ago (a night shift seen after midnight) may be open.
  const ShiftInstance oldest =
      shift_at({"", "", ""}, now - std::chrono::hours(48), ledger_.policy().utc_offset_minutes);
  auto records = store_->attendance_since(oldest.shift_date);
  if (!records) return records.error();
  std::lock_guard lock(mutex_);
  for (const AttendanceRecord& r : *records) ledger_.restore(r);
  return {};
}

bool AttendanceAnalyzer::is_exit_line(const std::string& camera, const std::string& line) const {
  return exit_lines_.count(camera + "/" + line) > 0 || exit_lines_.count(line) > 0;
}

Status AttendanceAnalyzer::on_frame(const AnalyzerFrame& frame, FrameOutcome& out) {
  std::lock_guard lock(mutex_);
  auto note = [&](const std::optional<AttendanceRecord>& changed) {
    if (changed) pending_[{changed->employee_id, changed->shift_date}] = *changed;
  };
  for (const FaceRecognition& face : out.faces_recognized) {
    if (face.employee_id.empty()) continue;  // decided unknown
    track_employee_[{frame.camera_id, face.track_id}] = face.employee_id;
    const auto shift = shifts_(face.employee_id);
    if (!shift) continue;
    ++stats_.sightings;
    note(ledger_.on_sighting(
        *shift, {face.employee_id, frame.camera_id, frame.timestamp, face.confidence}));
  }
  for (const TrackCrossing& c : out.crossings) {
    if (c.crossing.direction != CrossingDirection::kOut) continue;
    if (!is_exit_line(frame.camera_id, c.crossing.line_id)) continue;
    const auto it = track_employee_.find({frame.camera_id, c.track_id});
    if (it == track_employee_.end()) continue;
    const auto shift = shifts_(it->second);
    if (!shift) continue;
    ++stats_.exits;
    note(ledger_.on_exit(*shift, {it->second, frame.camera_id, frame.timestamp}));
  }
  for (int64_t id : frame.ended_track_ids) track_employee_.erase({frame.camera_id, id});
  return flush(std::chrono::system_clock::now());
}

Status AttendanceAnalyzer::flush(SystemTime now) {
  while (!pending_.empty()) {
    const auto it = pending_.begin();
    if (Status st = store_->save_attendance(it->second, now); !st) {
      ++stats_.failed_writes;  // kept in pending_: the next frame retries
      return st;
    }
    ++stats_.writes;
    pending_.erase(it);
  }
  return {};
}

void AttendanceAnalyzer::forget(const std::string& employee_id) {
  std::lock_guard lock(mutex_);
  ledger_.forget(employee_id);
  std::erase_if(pending_, [&](const auto& kv) { return kv.first.first == employee_id; });
  std::erase_if(track_employee_, [&](const auto& kv) { return kv.second == employee_id; });
}

AttendanceAnalyzerStats AttendanceAnalyzer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace fai
