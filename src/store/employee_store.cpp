// Employees, face templates and attendance over SOCI (sql_common.h); nothing SOCI leaves this
// file.

#include "store/employee_store.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <map>

#include "core/base64.h"
#include "store/sql_common.h"

namespace fai {
namespace {

using namespace store;

constexpr const char* kEmployeeColumns =
    "e.employee_id, e.name, e.department, e.shift_start, e.shift_end, e.consent, e.created_at, "
    "(SELECT COUNT(*) FROM face_templates t WHERE t.employee_id = e.id)";
constexpr const char* kAttendanceColumns =
    "e.employee_id, a.shift_date, a.check_in_time, a.camera_id, a.confidence, a.status, "
    "a.last_seen_time, a.exit_time, a.early_leave";

// One row of kEmployeeColumns.
struct EmployeeRow {
  std::string id, name;
  OptionalText department, start, end;
  int consent = 0;
  long long created = 0, templates = 0;

  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(name));
    st.exchange(soci::into(department.value, department.ind));
    st.exchange(soci::into(start.value, start.ind));
    st.exchange(soci::into(end.value, end.ind));
    st.exchange(soci::into(consent));
    st.exchange(soci::into(created));
    st.exchange(soci::into(templates));
  }
  Employee employee() const {
    return {id,         name,         department.text(),           start.text(),
            end.text(), consent != 0, static_cast<int>(templates), from_ms(created)};
  }
};

// One row of kAttendanceColumns.
struct AttendanceDbRow {
  std::string employee_id;
  OptionalText shift_date, camera, status;
  long long check_in = 0;
  double confidence = 0;
  soci::indicator confidence_ind = soci::i_null;
  OptionalMs last_seen, exit;
  int early_leave = 0;

  void bind(soci::statement& st) {
    st.exchange(soci::into(employee_id));
    st.exchange(soci::into(shift_date.value, shift_date.ind));
    st.exchange(soci::into(check_in));
    st.exchange(soci::into(camera.value, camera.ind));
    st.exchange(soci::into(confidence, confidence_ind));
    st.exchange(soci::into(status.value, status.ind));
    st.exchange(soci::into(last_seen.value, last_seen.ind));
    st.exchange(soci::into(exit.value, exit.ind));
    st.exchange(soci::into(early_leave));
  }
  AttendanceRecord record() const {
    AttendanceRecord r;
    r.employee_id = employee_id;
    r.shift_date = shift_date.text();
    r.check_in = from_ms(check_in);
    r.camera_id = camera.text();
    r.confidence = confidence_ind == soci::i_ok ? static_cast<float>(confidence) : 0.0f;
    r.status = status.text() == "late" ? AttendanceStatus::kLate : AttendanceStatus::kOnTime;
    r.last_seen = last_seen.time();
    r.exit_time = exit.time();
    r.early_leave = early_leave != 0;
    return r;
  }
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The row id of an employee id, or nullopt.
std::optional<long long> row_id(soci::session& s, const std::string& employee_id) {
  long long id = 0;
  soci::indicator ind = soci::i_null;
  s << "SELECT id FROM employees WHERE employee_id = :e", soci::into(id, ind),
      soci::use(employee_id);
  if (!s.got_data() || ind != soci::i_ok) return std::nullopt;
  return id;
}

std::optional<Employee> find_employee(soci::session& s, const std::string& employee_id) {
  std::optional<Employee> found;
  EmployeeRow row;
  std::string id = employee_id;
  for_each_row(
      s, std::string("SELECT ") + kEmployeeColumns + " FROM employees e WHERE e.employee_id = :e",
      [&](soci::statement& st) {
        row.bind(st);
        st.exchange(soci::use(id));
      },
      [&] { found = row.employee(); });
  return found;
}

Error no_employee(const std::string& employee_id) {
  return make_error(ErrorCode::kNotFound, "no employee '" + employee_id + "'");
}

struct TemplateDbRow {
  long long id = 0, created = 0;
  std::string employee_id, model;
  double quality = 0;
  OptionalText aws, embedding, photo;
  int dim = 0;

  void bind(soci::statement& st, bool with_data) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(employee_id));
    st.exchange(soci::into(model));
    st.exchange(soci::into(dim));
    st.exchange(soci::into(quality));
    st.exchange(soci::into(aws.value, aws.ind));
    st.exchange(soci::into(created));
    if (with_data) {
      st.exchange(soci::into(embedding.value, embedding.ind));
      st.exchange(soci::into(photo.value, photo.ind));
    }
  }
  static std::string columns(bool with_data) {
    return std::string(
               "t.id, e.employee_id, t.model, t.dim, t.quality, t.aws_face_id, t.created_at") +
           (with_data ? ", t.embedding, t.photo" : "");
  }
  FaceTemplateRecord record(bool with_data) const {
    FaceTemplateRecord r;
    r.face_id = id;
    r.employee_id = employee_id;
    r.model = model;
    r.quality = static_cast<float>(quality);
    r.aws_face_id = aws.text();
    r.created_at = from_ms(created);
    if (with_data) {
      // A row this code wrote always decodes; a hand-edited one is skipped by the caller.
      if (auto decoded = decode_embedding(embedding.text(), dim)) r.embedding = std::move(*decoded);
      if (auto bytes = base64_decode(photo.text()); bytes && !photo.text().empty()) {
        r.photo = std::move(*bytes);
      }
    }
    return r;
  }
};

std::vector<FaceTemplateRecord> read_templates(soci::session& s, const std::string& where,
                                               const std::string& employee_id, bool with_data) {
  std::vector<FaceTemplateRecord> out;
  TemplateDbRow row;
  std::string id = employee_id;
  for_each_row(
      s,
      "SELECT " + TemplateDbRow::columns(with_data) +
          " FROM face_templates t JOIN employees e ON e.id = t.employee_id" + where +
          " ORDER BY t.id",
      [&](soci::statement& st) {
        row.bind(st, with_data);
        if (!employee_id.empty()) st.exchange(soci::use(id));
      },
      [&] { out.push_back(row.record(with_data)); });
  return out;
}

}  // namespace

std::string encode_embedding(const std::vector<float>& embedding) {
  std::vector<uint8_t> bytes(embedding.size() * 4);
  for (size_t i = 0; i < embedding.size(); ++i) {
    uint32_t bits = std::bit_cast<uint32_t>(embedding[i]);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<uint8_t>(bits >> (8 * b));
  }
  return base64_encode(bytes.data(), bytes.size());
}

Expected<std::vector<float>> decode_embedding(const std::string& text, int dim) {
  auto bytes = base64_decode(text);
  if (!bytes) return bytes.error();
  if (dim <= 0 || bytes->size() != static_cast<size_t>(dim) * 4) {
    return make_error(ErrorCode::kCorrupt, "embedding of " + std::to_string(bytes->size()) +
                                               " bytes is not " + std::to_string(dim) + " floats");
  }
  std::vector<float> out(static_cast<size_t>(dim));
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) bits |= static_cast<uint32_t>((*bytes)[i * 4 + b]) << (8 * b);
    out[i] = std::bit_cast<float>(bits);
  }
  return out;
}

EmployeeStore::EmployeeStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}
EmployeeStore::~EmployeeStore() = default;

Expected<std::unique_ptr<EmployeeStore>> EmployeeStore::open(const StoreConfig& config) {
  auto db = Database::open(config);
  if (!db) return db.error();
  return std::unique_ptr<EmployeeStore>(new EmployeeStore(std::move(*db)));
}

Expected<Page<Employee>> EmployeeStore::list(const EmployeeQuery& query) {
  Page<Employee> page;
  const std::string pattern = "%" + lower(query.q) + "%";
  const std::string where =
      query.q.empty() ? std::string()
                      : " WHERE (LOWER(e.employee_id) LIKE :p1 OR LOWER(e.name) LIKE :p2 OR "
                        "LOWER(COALESCE(e.department, '')) LIKE :p3)";
  auto bind_filter = [&](soci::statement& st) {
    if (query.q.empty()) return;
    for (int i = 0; i < 3; ++i) st.exchange(soci::use(pattern));
  };
  const Status st = db_->read([&](soci::session& s) {
    EmployeeRow row;
    page.total = select_page(
        s, kEmployeeColumns, "FROM employees e" + where, "e.employee_id", query.limit, query.offset,
        bind_filter, [&](soci::statement& stmt) { row.bind(stmt); },
        [&] { page.rows.push_back(row.employee()); });
  });
  if (!st) return st.error();
  return page;
}

Expected<Employee> EmployeeStore::get(const std::string& employee_id) {
  std::optional<Employee> found;
  const Status st = db_->read([&](soci::session& s) { found = find_employee(s, employee_id); });
  if (!st) return st.error();
  if (!found) return no_employee(employee_id);
  return *found;
}

Expected<std::vector<Employee>> EmployeeStore::all() {
  std::vector<Employee> out;
  const Status st = db_->read([&](soci::session& s) {
    EmployeeRow row;
    for_each_row(
        s, std::string("SELECT ") + kEmployeeColumns + " FROM employees e ORDER BY e.employee_id",
        [&](soci::statement& stmt) { row.bind(stmt); }, [&] { out.push_back(row.employee()); });
  });
  if (!st) return st.error();
  return out;
}

Expected<Employee> EmployeeStore::add(Employee employee) {
  employee.created_at =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  employee.templates = 0;
  bool exists = false;
  const Status st = db_->write([&](soci::session& s) {
    exists = row_id(s, employee.employee_id).has_value();
    if (exists) return;
    const int consent = employee.consent ? 1 : 0;
    const long long created = to_ms(employee.created_at);
    s << "INSERT INTO employees (employee_id, name, department, shift_start, shift_end, consent, "
         "created_at) VALUES (:id, :name, :dept, :start, :end, :consent, :created)",
        soci::use(employee.employee_id), soci::use(employee.name), soci::use(employee.department),
        soci::use(employee.shift_start), soci::use(employee.shift_end), soci::use(consent),
        soci::use(created);
  });
  if (!st) return st.error();
  if (exists) {
    return make_error(ErrorCode::kConflict, "employee '" + employee.employee_id + "' exists");
  }
  return employee;
}

Expected<Employee> EmployeeStore::update(const std::string& employee_id,
                                         const EmployeeUpdate& update) {
  std::optional<Employee> result;
  const Status st = db_->write([&](soci::session& s) {
    auto current = find_employee(s, employee_id);
    if (!current) return;
    Employee& e = *current;
    if (update.name) e.name = *update.name;
    if (update.department) e.department = *update.department;
    if (update.shift_start) e.shift_start = *update.shift_start;
    if (update.shift_end) e.shift_end = *update.shift_end;
    if (update.consent) e.consent = *update.consent;
    const int consent = e.consent ? 1 : 0;
    s << "UPDATE employees SET name = :name, department = :dept, shift_start = :start, "
         "shift_end = :end, consent = :consent WHERE employee_id = :id",
        soci::use(e.name), soci::use(e.department), soci::use(e.shift_start),
        soci::use(e.shift_end), soci::use(consent), soci::use(employee_id);
    result = e;
  });
  if (!st) return st.error();
  if (!result) return no_employee(employee_id);
  return *result;
}

Expected<std::vector<FaceTemplateRecord>> EmployeeStore::remove(const std::string& employee_id) {
  std::vector<FaceTemplateRecord> removed;
  bool found = false;
  const Status st = db_->write([&](soci::session& s) {
    const auto id = row_id(s, employee_id);
    if (!id) return;
    found = true;
    removed = read_templates(s, " WHERE e.employee_id = :e", employee_id, false);
    // The seed's attendance_records.employee_id has no ON DELETE: remove them explicitly.
    s << "DELETE FROM attendance_records WHERE employee_id = :id", soci::use(*id);
    s << "DELETE FROM face_templates WHERE employee_id = :id", soci::use(*id);
    s << "DELETE FROM employees WHERE id = :id", soci::use(*id);
  });
  if (!st) return st.error();
  if (!found) return no_employee(employee_id);
  return removed;
}

Expected<std::vector<FaceTemplateRecord>> EmployeeStore::add_templates(
    const std::string& employee_id, std::vector<FaceTemplateRecord> templates) {
  bool found = false;
  const SystemTime now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const Status st = db_->write([&](soci::session& s) {
    const auto id = row_id(s, employee_id);
    if (!id) return;
    found = true;
    for (FaceTemplateRecord& t : templates) {
      t.employee_id = employee_id;
      t.created_at = now;
      const std::string embedding = encode_embedding(t.embedding);
      const int dim = static_cast<int>(t.embedding.size());
      const double quality = t.quality;
      const long long created = to_ms(now);
      OptionalText aws{t.aws_face_id, t.aws_face_id.empty() ? soci::i_null : soci::i_ok};
      OptionalText photo{t.photo.empty() ? "" : base64_encode(t.photo.data(), t.photo.size()),
                         t.photo.empty() ? soci::i_null : soci::i_ok};
      s << "INSERT INTO face_templates (employee_id, embedding, model, dim, quality, aws_face_id, "
           "photo, created_at) VALUES (:e, :emb, :model, :dim, :q, :aws, :photo, :created)",
          soci::use(*id), soci::use(embedding), soci::use(t.model), soci::use(dim),
          soci::use(quality), soci::use(aws.value, aws.ind), soci::use(photo.value, photo.ind),
          soci::use(created);
      long long face_id = 0;
      s << "SELECT MAX(id) FROM face_templates WHERE employee_id = :e", soci::into(face_id),
          soci::use(*id);
      t.face_id = face_id;
    }
  });
  if (!st) return st.error();
  if (!found) return no_employee(employee_id);
  return templates;
}

Expected<std::vector<FaceTemplateRecord>> EmployeeStore::templates_of(
    const std::string& employee_id) {
  std::vector<FaceTemplateRecord> out;
  bool found = false;
  const Status st = db_->read([&](soci::session& s) {
    found = row_id(s, employee_id).has_value();
    if (found) out = read_templates(s, " WHERE e.employee_id = :e", employee_id, false);
  });
  if (!st) return st.error();
  if (!found) return no_employee(employee_id);
  return out;
}

Expected<std::vector<FaceTemplateRecord>> EmployeeStore::all_templates() {
  std::vector<FaceTemplateRecord> out;
  const Status st = db_->read([&](soci::session& s) { out = read_templates(s, "", "", true); });
  if (!st) return st.error();
  return out;
}

Expected<FaceTemplateRecord> EmployeeStore::remove_template(const std::string& employee_id,
                                                            int64_t face_id) {
  std::optional<FaceTemplateRecord> removed;
  bool employee_found = false;
  const Status st = db_->write([&](soci::session& s) {
    employee_found = row_id(s, employee_id).has_value();
    if (!employee_found) return;
    for (FaceTemplateRecord& t :
         read_templates(s, " WHERE e.employee_id = :e", employee_id, false)) {
      if (t.face_id == face_id) removed = std::move(t);
    }
    if (!removed) return;
    const long long id = face_id;
    s << "DELETE FROM face_templates WHERE id = :id", soci::use(id);
  });
  if (!st) return st.error();
  if (!employee_found) return no_employee(employee_id);
  if (!removed) {
    return make_error(ErrorCode::kNotFound,
                      "employee '" + employee_id + "' has no face " + std::to_string(face_id));
  }
  return *removed;
}

namespace {

// The stored record of (employee row, shift_date), if any.
std::optional<AttendanceRecord> stored_attendance(soci::session& s, long long employee_row,
                                                  const std::string& employee_id,
                                                  const std::string& shift_date) {
  std::optional<AttendanceRecord> found;
  AttendanceDbRow a;
  long long id = employee_row;
  std::string date = shift_date;
  for_each_row(
      s,
      std::string("SELECT ") + kAttendanceColumns +
          " FROM attendance_records a JOIN employees e ON e.id = a.employee_id WHERE "
          "a.employee_id = :e AND a.shift_date = :d",
      [&](soci::statement& st) {
        a.bind(st);
        st.exchange(soci::use(id));
        st.exchange(soci::use(date));
      },
      [&] { found = a.record(); });
  if (found) found->employee_id = employee_id;
  return found;
}

template <class T>
std::optional<T> later(const std::optional<T>& a, const std::optional<T>& b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}

// What the row must hold after `incoming` arrives: the earliest check-in, the latest sighting
// and exit, whichever order the states arrive in (a replay cannot undo progress).
AttendanceRecord merged(const std::optional<AttendanceRecord>& stored,
                        const AttendanceRecord& incoming) {
  if (!stored) return incoming;
  AttendanceRecord out = incoming;
  if (stored->check_in < incoming.check_in) {
    out.check_in = stored->check_in;
    out.camera_id = stored->camera_id;
    out.confidence = stored->confidence;
    out.status = stored->status;
  }
  out.last_seen = later(stored->last_seen, incoming.last_seen);
  out.exit_time = later(stored->exit_time, incoming.exit_time);
  if (out.check_out() != incoming.check_out()) out.early_leave = stored->early_leave;
  return out;
}

}  // namespace

Status EmployeeStore::save_attendance(const AttendanceRecord& incoming, SystemTime now) {
  return db_->write([&](soci::session& s) {
    const auto id = row_id(s, incoming.employee_id);
    if (!id) return;  // deleted meanwhile: nothing to record
    const auto stored = stored_attendance(s, *id, incoming.employee_id, incoming.shift_date);
    const AttendanceRecord r = merged(stored, incoming);
    long long check_in = to_ms(r.check_in);
    double confidence = r.confidence;
    std::string status = to_string(r.status);
    OptionalMs last_seen = OptionalMs::of(r.last_seen);
    OptionalMs exit = OptionalMs::of(r.exit_time);
    OptionalMs check_out = OptionalMs::of(r.check_out());
    const std::string source = r.check_out_source();
    const int early = r.early_leave ? 1 : 0;
    const long long updated = to_ms(now);
    if (stored) {
      s << "UPDATE attendance_records SET check_in_time = :ci, camera_id = :cam, confidence = "
           ":conf, status = :status, last_seen_time = :seen, exit_time = :exit, check_out_time = "
           ":co, check_out_source = :src, early_leave = :early, updated_at = :updated WHERE "
           "employee_id = :e AND shift_date = :d",
          soci::use(check_in), soci::use(r.camera_id), soci::use(confidence), soci::use(status),
          soci::use(last_seen.value, last_seen.ind), soci::use(exit.value, exit.ind),
          soci::use(check_out.value, check_out.ind), soci::use(source), soci::use(early),
          soci::use(updated), soci::use(*id), soci::use(r.shift_date);
    } else {
      s << "INSERT INTO attendance_records (employee_id, shift_date, check_in_time, camera_id, "
           "confidence, status, last_seen_time, exit_time, check_out_time, check_out_source, "
           "early_leave, updated_at) VALUES (:e, :d, :ci, :cam, :conf, :status, :seen, :exit, "
           ":co, :src, :early, :updated)",
          soci::use(*id), soci::use(r.shift_date), soci::use(check_in), soci::use(r.camera_id),
          soci::use(confidence), soci::use(status), soci::use(last_seen.value, last_seen.ind),
          soci::use(exit.value, exit.ind), soci::use(check_out.value, check_out.ind),
          soci::use(source), soci::use(early), soci::use(updated);
    }
  });
}

Expected<Page<AttendanceRow>> EmployeeStore::attendance(const AttendanceQuery& query) {
  Page<AttendanceRow> page;
  std::string where = " WHERE a.shift_date IS NOT NULL";
  if (!query.shift_date.empty()) where += " AND a.shift_date = :d";
  if (!query.employee_id.empty()) where += " AND e.employee_id = :e";
  const std::string from =
      "FROM attendance_records a JOIN employees e ON e.id = a.employee_id" + where;
  std::string date = query.shift_date, employee = query.employee_id;
  auto bind_filter = [&](soci::statement& st) {
    if (!date.empty()) st.exchange(soci::use(date));
    if (!employee.empty()) st.exchange(soci::use(employee));
  };
  const Status st = db_->read([&](soci::session& s) {
    AttendanceDbRow a;
    EmployeeRow e;
    page.total = select_page(
        s, std::string(kAttendanceColumns) + ", " + kEmployeeColumns, from,
        "a.shift_date, e.employee_id", query.limit, query.offset, bind_filter,
        [&](soci::statement& stmt) {
          a.bind(stmt);
          e.bind(stmt);
        },
        [&] {
          page.rows.push_back({a.record(), e.employee()});
        });
  });
  if (!st) return st.error();
  return page;
}

Expected<std::vector<AttendanceRecord>> EmployeeStore::attendance_since(
    const std::string& shift_date) {
  std::vector<AttendanceRecord> out;
  std::string date = shift_date;
  const Status st = db_->read([&](soci::session& s) {
    AttendanceDbRow a;
    for_each_row(
        s,
        std::string("SELECT ") + kAttendanceColumns +
            " FROM attendance_records a JOIN employees e ON e.id = a.employee_id WHERE "
            "a.shift_date >= :d ORDER BY a.id",
        [&](soci::statement& stmt) {
          a.bind(stmt);
          stmt.exchange(soci::use(date));
        },
        [&] { out.push_back(a.record()); });
  });
  if (!st) return st.error();
  return out;
}

}  // namespace fai
