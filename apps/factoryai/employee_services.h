#pragma once
// What `serve` needs for employees and attendance: the employee service behind /api/employees
// and /api/attendance, which loads every template into the shared Gallery (RecognitionServices
// owns it; the FaceAnalyzer matches against it) at start-up and keeps it and the AWS collection
// in step, and the AttendanceAnalyzer, which must run after the FaceAnalyzer (it reads
// faces_recognized).

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/employee_service.h"
#include "config/config.h"
#include "pipeline/analyzers/attendance_analyzer.h"
#include "pipeline/analyzers/face_analyzer.h"

namespace fai::cli {

struct EmployeeServices {
  std::shared_ptr<Gallery> gallery;
  std::unique_ptr<api::EmployeeService> employees;
  std::shared_ptr<AttendanceAnalyzer> attendance;

  // Opens after open_store() (the migrations). Missing face models only disable enrolment
  // (logged); an unreachable database is an error.
  // `gallery` is the one the FaceAnalyzer matches against; `aws` may be null (local only).
  static Expected<std::unique_ptr<EmployeeServices>> open(
      const Config& config, std::shared_ptr<Gallery> gallery,
      std::shared_ptr<aws::RekognitionClient> aws);
  // employee id -> name, for the FaceAnalyzer ("" for an unknown id).
  EmployeeNameLookup names() const;
  // Appends the attendance analyzer; call after the FaceAnalyzer was appended.
  void add_attendance_analyzer(std::vector<std::shared_ptr<FrameAnalyzer>>& analyzers) const;
  // The "attendance" section of /api/diagnostic.
  nlohmann::json diagnostic() const;
};

}  // namespace fai::cli
