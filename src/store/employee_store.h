#pragma once
// Employees (table employees), their face templates (face_templates) and the attendance ledger
// (attendance_records), in SQLite or PostgreSQL. Plain structs in and out, no SOCI type in this
// header. Open it after open_store() has applied the migrations.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analytics/attendance/attendance.h"
#include "core/clock.h"
#include "core/expected.h"
#include "store/store.h"

namespace fai {

namespace store {
class Database;
}

struct Employee {
  std::string employee_id;  // the factory's id (badge number), unique
  std::string name;
  std::string department;
  std::string shift_start, shift_end;  // "HH:MM" local time, or empty
  bool consent = false;                // to biometric enrolment
  int templates = 0;                   // face templates enrolled (read only)
  SystemTime created_at;

  EmployeeShift shift() const { return {employee_id, shift_start, shift_end}; }
  bool operator==(const Employee&) const = default;
};

// A PUT: only the fields present change.
struct EmployeeUpdate {
  std::optional<std::string> name, department, shift_start, shift_end;
  std::optional<bool> consent;
};

struct EmployeeQuery {
  std::string q;  // substring of employee id, name or department (case-insensitive)
  int64_t limit = 100;
  int64_t offset = 0;
};

// One enrolled face: the embedding (never the photo, unless recognition.keep_photos).
struct FaceTemplateRecord {
  int64_t face_id = 0;  // assigned by the database; also the Gallery's template id
  std::string employee_id;
  std::vector<float> embedding;
  std::string model;  // the embedder that made it (templates of another model do not match)
  float quality = 0;  // 0..1, from the quality gate
  std::string aws_face_id;
  std::vector<uint8_t> photo;  // empty unless kept
  SystemTime created_at;
};

// An attendance row with what the API shows beside the ledger's record.
struct AttendanceRow {
  AttendanceRecord record;
  Employee employee;
};

struct AttendanceQuery {
  std::string shift_date;   // YYYY-MM-DD; empty = any
  std::string employee_id;  // empty = everyone
  int64_t limit = 100;
  int64_t offset = 0;
};

// Thread-safe (one writer and one reader connection). Errors: kNotFound (no such employee or
// face), kConflict (employee id taken), kUnavailable / kInternal from the database.
class EmployeeStore {
 public:
  static Expected<std::unique_ptr<EmployeeStore>> open(const StoreConfig& config);
  ~EmployeeStore();

  Expected<Page<Employee>> list(const EmployeeQuery& query);
  Expected<Employee> get(const std::string& employee_id);
  Expected<std::vector<Employee>> all();
  // created_at is set here.
  Expected<Employee> add(Employee employee);
  Expected<Employee> update(const std::string& employee_id, const EmployeeUpdate& update);
  // Deletes the employee, its templates and its attendance records in one transaction and
  // returns the templates that were removed (their AWS face ids are to be deleted there too).
  Expected<std::vector<FaceTemplateRecord>> remove(const std::string& employee_id);

  // All or nothing: either every template is stored (face_id set) or none.
  Expected<std::vector<FaceTemplateRecord>> add_templates(
      const std::string& employee_id, std::vector<FaceTemplateRecord> templates);
  // Without embeddings and photos (for listing).
  Expected<std::vector<FaceTemplateRecord>> templates_of(const std::string& employee_id);
  // Every template with its embedding (to fill the Gallery at start-up).
  Expected<std::vector<FaceTemplateRecord>> all_templates();
  // The removed template; kNotFound when the employee has no such face.
  Expected<FaceTemplateRecord> remove_template(const std::string& employee_id, int64_t face_id);

  // Inserts or updates the record of (employee, shift_date). The check-in time never moves
  // later, so an old record replayed after a newer one cannot undo an earlier check-in.
  Status save_attendance(const AttendanceRecord& record, SystemTime now);
  Expected<Page<AttendanceRow>> attendance(const AttendanceQuery& query);
  // Records of shifts dated on or after `shift_date` (to rebuild the ledger after a restart).
  Expected<std::vector<AttendanceRecord>> attendance_since(const std::string& shift_date);

 private:
  explicit EmployeeStore(std::unique_ptr<store::Database> db);
  std::unique_ptr<store::Database> db_;
};

// Little-endian float32 as base64 text, the face_templates.embedding format.
std::string encode_embedding(const std::vector<float>& embedding);
Expected<std::vector<float>> decode_embedding(const std::string& text, int dim);

}  // namespace fai
