#include "api/employee_service.h"

#include <mutex>

#include <spdlog/spdlog.h>
#include <opencv2/imgcodecs.hpp>

namespace fai::api {
namespace {

constexpr int kAwsJpegQuality = 90;

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

std::string photo_label(size_t index) {
  return "photo " + std::to_string(index);
}

}  // namespace

Status validate_employee(const Employee& e) {
  if (blank(e.name)) return make_error(ErrorCode::kInvalidArgument, "name must not be empty");
  for (const auto& [field, value] :
       {std::pair{"shift_start", &e.shift_start}, std::pair{"shift_end", &e.shift_end}}) {
    if (value->empty()) continue;
    if (auto minutes = parse_hhmm(*value); !minutes) {
      return make_error(ErrorCode::kInvalidArgument,
                        std::string(field) + ": " + minutes.error().message);
    }
  }
  if (e.shift_start.empty() != e.shift_end.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "shift_start and shift_end go together: give both or neither");
  }
  return {};
}

EmployeeService::EmployeeService(std::unique_ptr<EmployeeStore> store,
                                 std::shared_ptr<Gallery> gallery,
                                 std::shared_ptr<FaceEnroller> enroller,
                                 std::shared_ptr<aws::RekognitionClient> aws,
                                 EmployeeServiceOptions options)
    : store_(std::move(store)),
      gallery_(std::move(gallery)),
      enroller_(std::move(enroller)),
      aws_(std::move(aws)),
      options_(std::move(options)) {
  FAI_CHECK(store_ && gallery_);
}

bool EmployeeService::uses_aws() const {
  return options_.recognition.mode == "aws" || options_.recognition.mode == "hybrid";
}

Status EmployeeService::load() {
  auto employees = store_->all();
  if (!employees) return employees.error();
  {
    std::unique_lock lock(mutex_);
    employees_.clear();
    for (const Employee& e : *employees) employees_[e.employee_id] = e;
  }
  auto templates = store_->all_templates();
  if (!templates) return templates.error();
  int loaded = 0, other_model = 0;
  for (const FaceTemplateRecord& t : *templates) {
    if (enroller_ && t.model != enroller_->model_name()) {
      ++other_model;  // made by another embedder: would match nothing
      continue;
    }
    if (auto st = gallery_->enrol(t.employee_id, t.embedding, t.face_id); !st) {
      spdlog::warn("face template {} of {}: {}", t.face_id, t.employee_id, st.error().message);
      continue;
    }
    ++loaded;
  }
  spdlog::info("gallery: {} template(s) of {} employee(s) loaded", loaded, gallery_->employees());
  if (other_model > 0) {
    spdlog::warn("gallery: {} template(s) of another face model skipped; re-enrol them",
                 other_model);
  }
  return {};
}

void EmployeeService::remember(const Employee& e) {
  std::unique_lock lock(mutex_);
  employees_[e.employee_id] = e;
}

std::string EmployeeService::name_of(const std::string& employee_id) const {
  std::shared_lock lock(mutex_);
  const auto it = employees_.find(employee_id);
  return it != employees_.end() ? it->second.name : "";
}

std::optional<EmployeeShift> EmployeeService::shift_of(const std::string& employee_id) const {
  std::shared_lock lock(mutex_);
  const auto it = employees_.find(employee_id);
  if (it == employees_.end()) return std::nullopt;
  return it->second.shift();
}

void EmployeeService::on_removed(std::function<void(const std::string&)> listener) {
  std::unique_lock lock(mutex_);
  removed_listeners_.push_back(std::move(listener));
}

Expected<Employee> EmployeeService::add(const Employee& employee) {
  if (blank(employee.employee_id)) {
    return make_error(ErrorCode::kInvalidArgument, "employee_id must not be empty");
  }
  if (employee.employee_id.find('/') != std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument, "employee_id must not contain '/'");
  }
  if (auto st = validate_employee(employee); !st) return st.error();
  auto added = store_->add(employee);
  if (added) remember(*added);
  return added;
}

Expected<Employee> EmployeeService::update(const std::string& employee_id,
                                           const EmployeeUpdate& update) {
  auto current = store_->get(employee_id);
  if (!current) return current.error();
  Employee next = *current;
  if (update.name) next.name = *update.name;
  if (update.department) next.department = *update.department;
  if (update.shift_start) next.shift_start = *update.shift_start;
  if (update.shift_end) next.shift_end = *update.shift_end;
  if (update.consent) next.consent = *update.consent;
  if (auto st = validate_employee(next); !st) return st.error();
  auto updated = store_->update(employee_id, update);
  if (updated) remember(*updated);
  return updated;
}

Status EmployeeService::remove(const std::string& employee_id) {
  auto removed = store_->remove(employee_id);
  if (!removed) return removed.error();
  gallery_->remove_employee(employee_id);
  delete_in_aws(*removed);
  std::vector<std::function<void(const std::string&)>> listeners;
  {
    std::unique_lock lock(mutex_);
    employees_.erase(employee_id);
    listeners = removed_listeners_;
  }
  for (const auto& listener : listeners) listener(employee_id);
  return {};
}

void EmployeeService::delete_in_aws(const std::vector<FaceTemplateRecord>& templates) {
  std::vector<std::string> ids;
  for (const FaceTemplateRecord& t : templates) {
    if (!t.aws_face_id.empty()) ids.push_back(t.aws_face_id);
  }
  if (ids.empty()) return;
  if (!aws_) {
    spdlog::error("{} AWS face(s) not deleted: no AWS client configured", ids.size());
    return;
  }
  if (auto deleted = aws_->delete_faces(options_.aws_collection, ids); !deleted) {
    // The local templates are gone already; the ids are in the log for a manual clean-up.
    spdlog::error("AWS DeleteFaces failed for {} face(s) ({}): {}", ids.size(), ids.front(),
                  deleted.error().message);
  }
}

Status EmployeeService::index_in_aws(const std::vector<cv::Mat>& photos,
                                     const std::string& employee_id,
                                     std::vector<FaceTemplateRecord>& templates) {
  if (!aws_) {
    return make_error(ErrorCode::kUnavailable,
                      "recognition.mode is " + options_.recognition.mode +
                          " but no AWS client is configured (credentials?)");
  }
  for (size_t i = 0; i < photos.size(); ++i) {
    std::vector<uint8_t> jpeg;
    cv::imencode(".jpg", photos[i], jpeg, {cv::IMWRITE_JPEG_QUALITY, kAwsJpegQuality});
    auto indexed = aws_->index_faces(options_.aws_collection, jpeg, employee_id);
    if (!indexed) {
      delete_in_aws(templates);  // the ones indexed before this failure
      return make_error(indexed.error().code == ErrorCode::kInvalidArgument
                            ? ErrorCode::kInvalidArgument
                            : ErrorCode::kUnavailable,
                        photo_label(i) + ": AWS IndexFaces: " + indexed.error().message);
    }
    templates[i].aws_face_id = indexed->face_id;
  }
  return {};
}

Expected<EnrolReport> EmployeeService::enrol(const std::string& employee_id,
                                             const std::vector<std::vector<uint8_t>>& photos) {
  if (auto employee = store_->get(employee_id); !employee) return employee.error();
  if (photos.empty()) return make_error(ErrorCode::kInvalidArgument, "no photo in the request");
  if (photos.size() > static_cast<size_t>(options_.max_photos_per_request)) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "at most " + std::to_string(options_.max_photos_per_request) + " photos per request");
  }
  if (!enroller_) {
    return make_error(ErrorCode::kUnavailable, "face models are not loaded: enrolment is off");
  }
  std::vector<cv::Mat> images;
  for (size_t i = 0; i < photos.size(); ++i) {
    auto image = decode_image(photos[i], options_.image_limits);
    if (!image) {
      return make_error(image.error().code, photo_label(i) + ": " + image.error().message);
    }
    images.push_back(std::move(*image));
  }
  EnrolReport report;
  std::vector<FaceTemplateRecord> templates;
  for (size_t i = 0; i < images.size(); ++i) {
    auto face = enroller_->enrol(images[i]);
    if (!face) return make_error(face.error().code, photo_label(i) + ": " + face.error().message);
    if (!face->ok()) {
      report.refused =
          PhotoRefusal{static_cast<int>(i), face->refusal, photo_label(i) + ": " + face->reason};
      return report;
    }
    FaceTemplateRecord t;
    t.embedding = std::move(face->embedding);
    t.model = enroller_->model_name();
    t.quality = face->quality;
    if (options_.recognition.keep_photos) t.photo = photos[i];
    templates.push_back(std::move(t));
  }
  if (uses_aws()) {
    if (auto st = index_in_aws(images, employee_id, templates); !st) return st.error();
  }
  auto stored = store_->add_templates(employee_id, templates);
  if (!stored) {
    if (uses_aws()) delete_in_aws(templates);
    return stored.error();
  }
  for (const FaceTemplateRecord& t : *stored) {
    if (auto st = gallery_->enrol(employee_id, t.embedding, t.face_id); !st) {
      spdlog::error("gallery: template {} of {}: {}", t.face_id, employee_id, st.error().message);
    }
  }
  auto employee = store_->get(employee_id);
  if (!employee) return employee.error();
  remember(*employee);
  report.templates = employee->templates;
  report.added = std::move(*stored);
  return report;
}

Expected<int> EmployeeService::remove_face(const std::string& employee_id, int64_t face_id) {
  auto removed = store_->remove_template(employee_id, face_id);
  if (!removed) return removed.error();
  gallery_->remove_template(employee_id, face_id);
  delete_in_aws({*removed});
  auto employee = store_->get(employee_id);
  if (!employee) return employee.error();
  remember(*employee);
  return employee->templates;
}

}  // namespace fai::api
