#include "api/routes_employees.h"

#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "api/errors.h"
#include "api/http_util.h"
#include "core/base64.h"

namespace fai::api {
namespace {

using nlohmann::json;

constexpr size_t kMaxIdChars = 64, kMaxTextChars = 200;
constexpr int64_t kMaxCsvRows = 100000;
const std::set<std::string> kCreateFields = {"employee_id", "name",      "department",
                                             "shift_start", "shift_end", "consent"};

Error bad(const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, message);
}

Error unavailable() {
  return make_error(ErrorCode::kUnavailable, "the employee service is not running");
}

json employee_json(const Employee& e) {
  return {{"employee_id", e.employee_id}, {"name", e.name},
          {"department", e.department},   {"shift_start", e.shift_start},
          {"shift_end", e.shift_end},     {"consent", e.consent},
          {"templates", e.templates},     {"created_at", iso8601_utc(e.created_at)}};
}

json face_json(const FaceTemplateRecord& t) {
  return {{"face_id", t.face_id},
          {"created_at", iso8601_utc(t.created_at)},
          {"quality", std::round(t.quality * 1000) / 1000},
          {"model", t.model},
          {"in_aws", !t.aws_face_id.empty()}};
}

double rounded(float v) {
  return std::round(v * 1000) / 1000;
}

// One attendance row; early_leave is evaluated now (a last sighting counts once the shift ends).
struct AttendanceView {
  const AttendanceRow& row;
  const AttendancePolicy& policy;

  std::string time(const std::optional<SystemTime>& t) const { return t ? iso8601_utc(*t) : ""; }
  bool early_leave() const {
    auto shift = shift_on(row.employee.shift(), row.record.shift_date, policy.utc_offset_minutes);
    return shift && is_early_leave(row.record, *shift, policy, std::chrono::system_clock::now());
  }
  json to_json() const {
    const AttendanceRecord& r = row.record;
    const auto out = r.check_out();
    return {{"employee_id", r.employee_id},
            {"name", row.employee.name},
            {"department", row.employee.department},
            {"shift_date", r.shift_date},
            {"shift_start", row.employee.shift_start},
            {"shift_end", row.employee.shift_end},
            {"check_in_time", iso8601_utc(r.check_in)},
            {"check_out_time", out ? json(iso8601_utc(*out)) : json(nullptr)},
            {"check_out_source", r.check_out_source()},
            {"status", to_string(r.status)},
            {"early_leave", early_leave()},
            {"confidence", rounded(r.confidence)},
            {"camera_id", r.camera_id}};
  }
  std::vector<std::string> csv() const {
    const AttendanceRecord& r = row.record;
    char confidence[16];
    std::snprintf(confidence, sizeof confidence, "%.3f", r.confidence);
    return {r.employee_id,
            row.employee.name,
            row.employee.department,
            r.shift_date,
            row.employee.shift_start,
            row.employee.shift_end,
            iso8601_utc(r.check_in),
            time(r.check_out()),
            to_string(r.status),
            early_leave() ? "true" : "false",
            confidence,
            r.camera_id};
  }
};

const std::vector<std::string> kAttendanceCsvHeader = {
    "employee_id",   "name",           "department", "shift_date",  "shift_start", "shift_end",
    "check_in_time", "check_out_time", "status",     "early_leave", "confidence",  "camera_id"};

// A string field of the body (absent or null -> nullopt), or an error naming it.
Expected<std::optional<std::string>> string_field(const json& body, const char* name,
                                                  size_t max_chars = kMaxTextChars) {
  if (!body.contains(name) || body[name].is_null()) return std::optional<std::string>();
  if (!body[name].is_string()) return bad(std::string("'") + name + "' must be a string");
  std::string value = body[name].get<std::string>();
  if (value.size() > max_chars) {
    return bad(std::string("'") + name + "' is longer than " + std::to_string(max_chars) +
               " characters");
  }
  return std::optional<std::string>(std::move(value));
}

Expected<EmployeeUpdate> parse_update(const json& body) {
  EmployeeUpdate u;
  for (const auto& [key, value] : body.items()) {
    if (!kCreateFields.count(key)) return bad("unknown field '" + key + "'");
  }
  for (const auto& [name, target] :
       {std::pair{"name", &u.name}, std::pair{"department", &u.department},
        std::pair{"shift_start", &u.shift_start}, std::pair{"shift_end", &u.shift_end}}) {
    auto field = string_field(body, name);
    if (!field) return field.error();
    *target = *field;
  }
  if (body.contains("consent") && !body["consent"].is_null()) {
    if (!body["consent"].is_boolean()) return bad("'consent' must be true or false");
    u.consent = body["consent"].get<bool>();
  }
  return u;
}

Expected<Employee> parse_new_employee(const json& body) {
  auto id = string_field(body, "employee_id", kMaxIdChars);
  if (!id) return id.error();
  if (!*id) return bad("'employee_id' is required");
  auto fields = parse_update(body);
  if (!fields) return fields.error();
  if (!fields->name) return bad("'name' is required");
  Employee e;
  e.employee_id = **id;
  e.name = *fields->name;
  e.department = fields->department.value_or("");
  e.shift_start = fields->shift_start.value_or("");
  e.shift_end = fields->shift_end.value_or("");
  e.consent = fields->consent.value_or(false);
  return e;
}

// The photos of an enrolment request: multipart parts named "photo", or JSON {"images": [...]}
// of base64 strings (data: URLs accepted).
Expected<std::vector<std::vector<uint8_t>>> request_photos(const httplib::Request& req) {
  std::vector<std::vector<uint8_t>> photos;
  if (req.is_multipart_form_data()) {
    const auto [begin, end] = req.files.equal_range("photo");
    for (auto it = begin; it != end; ++it) {
      photos.emplace_back(it->second.content.begin(), it->second.content.end());
    }
    if (photos.empty()) return bad("multipart body has no 'photo' part");
    return photos;
  }
  auto body = json_body(req);
  if (!body) return body.error();
  if (!body->contains("images") || !(*body)["images"].is_array()) {
    return bad("send multipart 'photo' files or JSON {\"images\": [base64, ...]}");
  }
  const json& images = (*body)["images"];
  for (size_t i = 0; i < images.size(); ++i) {
    if (!images[i].is_string()) return bad("images[" + std::to_string(i) + "] is not a string");
    auto bytes = base64_decode(images[i].get<std::string>());
    if (!bytes) return bad("images[" + std::to_string(i) + "]: " + bytes.error().message);
    photos.push_back(std::move(*bytes));
  }
  return photos;
}

void send_refusal(httplib::Response& res, const PhotoRefusal& refusal) {
  const json body = {{"success", false},
                     {"error",
                      {{"code", to_string(refusal.refusal)},
                       {"message", refusal.reason},
                       {"photo_index", refusal.index}}}};
  send_json(res, body, 422);
}

Expected<int64_t> face_id_of(const std::string& text) {
  try {
    size_t used = 0;
    const long long id = std::stoll(text, &used);
    if (used == text.size() && id > 0) return static_cast<int64_t>(id);
  } catch (const std::exception&) {
  }
  return make_error(ErrorCode::kNotFound, "no face '" + text + "'");
}

class EmployeeRoutes {
 public:
  explicit EmployeeRoutes(EmployeeService* service) : service_(service) {}

  void list(const httplib::Request& req, httplib::Response& res) {
    auto limit = int_param(req, "limit", 100, 1, 1000);
    if (!limit) return send_error(res, limit.error());
    auto offset = int_param(req, "offset", 0, 0, std::numeric_limits<int32_t>::max());
    if (!offset) return send_error(res, offset.error());
    EmployeeQuery q{req.get_param_value("q"), *limit, *offset};
    auto page = service_->list(q);
    if (!page) return send_error(res, page.error());
    json items = json::array();
    for (const Employee& e : page->rows) items.push_back(employee_json(e));
    send_json(res, {{"success", true},
                    {"total", page->total},
                    {"limit", q.limit},
                    {"offset", q.offset},
                    {"items", std::move(items)}});
  }

  void create(const httplib::Request& req, httplib::Response& res) {
    auto body = json_body(req);
    if (!body) return send_error(res, body.error());
    auto employee = parse_new_employee(*body);
    if (!employee) return send_error(res, employee.error());
    auto added = service_->add(*employee);
    if (!added) return send_error(res, added.error());
    send_json(res, {{"success", true}, {"employee", employee_json(*added)}}, 201);
  }

  void get(const std::string& id, httplib::Response& res) {
    auto employee = service_->get(id);
    if (!employee) return send_error(res, employee.error());
    auto faces = service_->faces(id);
    if (!faces) return send_error(res, faces.error());
    json items = json::array();
    for (const FaceTemplateRecord& t : *faces) items.push_back(face_json(t));
    send_json(res, {{"success", true}, {"employee", employee_json(*employee)}, {"faces", items}});
  }

  void update(const std::string& id, const httplib::Request& req, httplib::Response& res) {
    auto body = json_body(req);
    if (!body) return send_error(res, body.error());
    if (body->contains("employee_id") && (*body)["employee_id"] != id) {
      return send_error(res, bad("employee_id cannot be changed"));
    }
    auto update = parse_update(*body);
    if (!update) return send_error(res, update.error());
    auto updated = service_->update(id, *update);
    if (!updated) return send_error(res, updated.error());
    send_json(res, {{"success", true}, {"employee", employee_json(*updated)}});
  }

  void remove(const std::string& id, httplib::Response& res) {
    if (auto st = service_->remove(id); !st) return send_error(res, st.error());
    send_json(res, {{"success", true}});
  }

  void add_faces(const std::string& id, const httplib::Request& req, httplib::Response& res) {
    // Unknown employee first: a 404 is more useful than a complaint about the photos.
    if (auto employee = service_->get(id); !employee) return send_error(res, employee.error());
    auto photos = request_photos(req);
    if (!photos) return send_error(res, photos.error());
    auto report = service_->enrol(id, *photos);
    if (!report) return send_error(res, report.error());
    if (report->refused) return send_refusal(res, *report->refused);
    json added = json::array();
    for (const FaceTemplateRecord& t : report->added) {
      added.push_back({{"face_id", t.face_id}, {"quality", rounded(t.quality)}});
    }
    send_json(res, {{"success", true}, {"added", added}, {"templates", report->templates}}, 201);
  }

  void remove_face(const std::string& id, const std::string& face, httplib::Response& res) {
    auto face_id = face_id_of(face);
    if (!face_id) return send_error(res, face_id.error());
    auto templates = service_->remove_face(id, *face_id);
    if (!templates) return send_error(res, templates.error());
    send_json(res, {{"success", true}, {"templates", *templates}});
  }

  void attendance(const httplib::Request& req, httplib::Response& res) {
    AttendanceQuery q;
    q.shift_date = req.get_param_value("date");
    if (!q.shift_date.empty() && !valid_date(q.shift_date)) {
      return send_error(res, bad("date: '" + q.shift_date + "' is not YYYY-MM-DD"));
    }
    q.employee_id = req.get_param_value("employee");
    const bool csv = wants_csv(req);
    auto limit = int_param(req, "limit", csv ? kMaxCsvRows : 100, 1, csv ? kMaxCsvRows : 1000);
    if (!limit) return send_error(res, limit.error());
    auto offset = int_param(req, "offset", 0, 0, std::numeric_limits<int32_t>::max());
    if (!offset) return send_error(res, offset.error());
    q.limit = *limit;
    q.offset = *offset;
    auto page = service_->attendance(q);
    if (!page) return send_error(res, page.error());
    const AttendancePolicy& policy = service_->options().attendance;
    if (csv) {
      std::vector<std::vector<std::string>> rows;
      for (const AttendanceRow& r : page->rows) rows.push_back(AttendanceView{r, policy}.csv());
      const std::string name = "attendance" + (q.shift_date.empty() ? "" : "-" + q.shift_date);
      return send_csv(res, name + ".csv", kAttendanceCsvHeader, rows);
    }
    json items = json::array();
    for (const AttendanceRow& r : page->rows) items.push_back(AttendanceView{r, policy}.to_json());
    send_json(res, {{"success", true},
                    {"total", page->total},
                    {"limit", q.limit},
                    {"offset", q.offset},
                    {"items", std::move(items)}});
  }

 private:
  EmployeeService* service_;
};

}  // namespace

void add_employee_routes(httplib::Server& http, EmployeeService* employees) {
  auto routes = std::make_shared<EmployeeRoutes>(employees);
  // Every route answers 503 without the service, before looking at the request.
  auto guarded = [employees](auto handler) {
    return [employees, handler](const httplib::Request& req, httplib::Response& res) {
      if (employees == nullptr) return send_error(res, unavailable());
      handler(req, res);
    };
  };
  const std::string id = R"(/api/employees/([^/]+))";
  http.Get("/api/employees",
           guarded([routes](const auto& req, auto& res) { routes->list(req, res); }));
  http.Post("/api/employees",
            guarded([routes](const auto& req, auto& res) { routes->create(req, res); }));
  http.Get(id, guarded([routes](const auto& req, auto& res) { routes->get(req.matches[1], res); }));
  http.Put(id, guarded([routes](const auto& req, auto& res) {
             routes->update(req.matches[1], req, res);
           }));
  http.Delete(
      id, guarded([routes](const auto& req, auto& res) { routes->remove(req.matches[1], res); }));
  http.Post(id + "/faces", guarded([routes](const auto& req, auto& res) {
              routes->add_faces(req.matches[1], req, res);
            }));
  http.Delete(id + R"(/faces/([^/]+))", guarded([routes](const auto& req, auto& res) {
                routes->remove_face(req.matches[1], req.matches[2], res);
              }));
  http.Get("/api/attendance",
           guarded([routes](const auto& req, auto& res) { routes->attendance(req, res); }));
}

}  // namespace fai::api
