#include "employee_services.h"

#include <spdlog/spdlog.h>

namespace fai::cli {
namespace {

// Face models for enrolment: a session pair of their own (the FaceAnalyzer's are busy with
// frames), opened by the FaceAnalyzer's own function so both embed alike.
std::shared_ptr<FaceEnroller> open_enroller(const Config& config) {
  auto manifest = load_manifest(config.inference.models_dir);
  if (!manifest) {
    spdlog::warn("enrolment is off: {}", manifest.error().message);
    return nullptr;
  }
  auto models = open_face_models(*manifest, config.inference.backend, config.inference.threads);
  if (!models) {
    spdlog::warn("enrolment is off: {}", models.error().message);
    return nullptr;
  }
  return std::make_shared<FaceEnroller>(std::move(models->detector), std::move(models->embedder),
                                        "faceres");
}

AttendancePolicy attendance_policy(const AttendanceConfig& c) {
  return {c.grace_minutes, c.early_leave_minutes, c.min_confidence, c.entrance_cameras,
          c.utc_offset_minutes};
}

}  // namespace

Expected<std::unique_ptr<EmployeeServices>> EmployeeServices::open(
    const Config& config, std::shared_ptr<Gallery> gallery,
    std::shared_ptr<aws::RekognitionClient> aws) {
  auto services = std::make_unique<EmployeeServices>();
  services->gallery = std::move(gallery);
  auto store = EmployeeStore::open({config.store.url});
  if (!store) return store.error();
  api::EmployeeServiceOptions options;
  options.recognition = config.recognition;
  options.aws_collection = config.aws.collection_id;
  options.attendance = attendance_policy(config.attendance);
  options.image_limits = {config.images.max_width, config.images.max_height};
  services->employees = std::make_unique<api::EmployeeService>(
      std::move(*store), services->gallery, open_enroller(config), std::move(aws), options);
  if (auto st = services->employees->load(); !st) return st.error();

  // The analyzer writes through a store of its own (its own connections).
  auto attendance_store = EmployeeStore::open({config.store.url});
  if (!attendance_store) return attendance_store.error();
  api::EmployeeService* employees = services->employees.get();
  services->attendance = std::make_shared<AttendanceAnalyzer>(
      std::shared_ptr<EmployeeStore>(std::move(*attendance_store)),
      [employees](const std::string& id) { return employees->shift_of(id); },
      AttendanceAnalyzerOptions{options.attendance, config.attendance.exit_lines});
  if (auto st = services->attendance->restore(std::chrono::system_clock::now()); !st) {
    return st.error();
  }
  std::weak_ptr<AttendanceAnalyzer> weak = services->attendance;
  employees->on_removed([weak](const std::string& id) {
    if (auto a = weak.lock()) a->forget(id);
  });
  return services;
}

EmployeeNameLookup EmployeeServices::names() const {
  api::EmployeeService* employees_ptr = employees.get();
  return [employees_ptr](const std::string& id) { return employees_ptr->name_of(id); };
}

void EmployeeServices::add_attendance_analyzer(
    std::vector<std::shared_ptr<FrameAnalyzer>>& analyzers) const {
  analyzers.push_back(attendance);
}

nlohmann::json EmployeeServices::diagnostic() const {
  const AttendanceAnalyzerStats s = attendance->stats();
  return {{"gallery_employees", gallery->employees()},
          {"gallery_templates", gallery->templates()},
          {"sightings", s.sightings},
          {"exits", s.exits},
          {"record_writes", s.writes},
          {"failed_writes", s.failed_writes}};
}

}  // namespace fai::cli
