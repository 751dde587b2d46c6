#pragma once
// Employees, enrolment and attendance behind the API: keeps the database, the in-memory Gallery
// and the AWS Rekognition collection in step. Enrolling a face stores its template in all three
// (AWS only in recognition mode aws or hybrid); deleting a face or an employee removes it from
// all three. Photos are kept only when recognition.keep_photos is true.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "analytics/attendance/attendance.h"
#include "analytics/identity/enrolment.h"
#include "analytics/identity/gallery.h"
#include "cloud/aws/rekognition.h"
#include "config/identity_config.h"
#include "core/expected.h"
#include "image/image_io.h"
#include "store/employee_store.h"

namespace fai::api {

struct EmployeeServiceOptions {
  RecognitionConfig recognition;
  std::string aws_collection = "factoryai-employees";
  AttendancePolicy attendance;
  ImageLimits image_limits;
  int max_photos_per_request = 10;
};

// A photo refused at enrolment: which one (0-based, in request order) and why.
struct PhotoRefusal {
  int index = 0;
  EnrolRefusal refusal = EnrolRefusal::kNone;
  std::string reason;
};

struct EnrolReport {
  std::optional<PhotoRefusal> refused;  // set: nothing was stored
  std::vector<FaceTemplateRecord> added;
  int templates = 0;  // the employee's templates after the request
};

// Thread-safe. Errors: kInvalidArgument (bad field, bad photo bytes), kNotFound, kConflict,
// kUnavailable (face models not loaded, AWS unreachable at enrolment, database down).
class EmployeeService {
 public:
  // `enroller` may be null (no face models): face enrolment then answers kUnavailable.
  // `aws` may be null: used only in recognition mode aws or hybrid.
  EmployeeService(std::unique_ptr<EmployeeStore> store, std::shared_ptr<Gallery> gallery,
                  std::shared_ptr<FaceEnroller> enroller,
                  std::shared_ptr<aws::RekognitionClient> aws, EmployeeServiceOptions options);

  // Loads the employees and every template of the enroller's model into memory (start-up).
  Status load();

  Expected<Page<Employee>> list(const EmployeeQuery& query) { return store_->list(query); }
  Expected<Employee> get(const std::string& employee_id) { return store_->get(employee_id); }
  Expected<std::vector<FaceTemplateRecord>> faces(const std::string& employee_id) {
    return store_->templates_of(employee_id);
  }
  Expected<Employee> add(const Employee& employee);
  Expected<Employee> update(const std::string& employee_id, const EmployeeUpdate& update);
  // Deletes the employee, its templates (database, Gallery, AWS) and its attendance records.
  Status remove(const std::string& employee_id);

  // `photos` are encoded images (JPEG, PNG, ...). All or nothing.
  Expected<EnrolReport> enrol(const std::string& employee_id,
                              const std::vector<std::vector<uint8_t>>& photos);
  // The employee's template count after the removal.
  Expected<int> remove_face(const std::string& employee_id, int64_t face_id);

  Expected<Page<AttendanceRow>> attendance(const AttendanceQuery& query) {
    return store_->attendance(query);
  }
  EmployeeStore& store() { return *store_; }
  const EmployeeServiceOptions& options() const { return options_; }

  // From memory, for the per-frame analyzers: "" / nullopt for an unknown employee.
  std::string name_of(const std::string& employee_id) const;
  std::optional<EmployeeShift> shift_of(const std::string& employee_id) const;
  // Called after an employee is deleted (e.g. the attendance ledger forgets them).
  void on_removed(std::function<void(const std::string&)> listener);

  bool uses_aws() const;

 private:
  void remember(const Employee& e);
  Status index_in_aws(const std::vector<cv::Mat>& photos, const std::string& employee_id,
                      std::vector<FaceTemplateRecord>& templates);
  void delete_in_aws(const std::vector<FaceTemplateRecord>& templates);

  std::unique_ptr<EmployeeStore> store_;
  std::shared_ptr<Gallery> gallery_;
  std::shared_ptr<FaceEnroller> enroller_;
  std::shared_ptr<aws::RekognitionClient> aws_;
  const EmployeeServiceOptions options_;

  mutable std::shared_mutex mutex_;  // guards employees_ and listeners_
  std::map<std::string, Employee> employees_;
  std::vector<std::function<void(const std::string&)>> removed_listeners_;
};

// Field checks shared by POST and PUT: name not blank, shifts "HH:MM" and both or neither.
Status validate_employee(const Employee& e);

}  // namespace fai::api
