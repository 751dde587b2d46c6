#include "store/schema.h"

namespace fai::store {
namespace {

// Written once with an @ID@ placeholder for the dialect's auto-increment primary key.
// Every time column holds epoch milliseconds UTC (BIGINT); flags are SMALLINT 0/1.
const std::vector<std::string> kSeedTables = {
    R"(CREATE TABLE employees (
         id @ID@,
         employee_id TEXT NOT NULL UNIQUE,
         name TEXT NOT NULL,
         department TEXT,
         shift_start TEXT,
         shift_end TEXT,
         aws_face_id TEXT,
         consent SMALLINT NOT NULL DEFAULT 0,
         created_at BIGINT NOT NULL))",
    R"(CREATE TABLE attendance_records (
         id @ID@,
         employee_id BIGINT NOT NULL REFERENCES employees(id),
         check_in_time BIGINT,
         check_out_time BIGINT,
         status TEXT,
         aws_confidence DOUBLE PRECISION,
         track_id BIGINT))",
    R"(CREATE TABLE vehicles (
         id @ID@,
         plate_number TEXT NOT NULL UNIQUE,
         vehicle_type TEXT,
         status TEXT,
         whitelist SMALLINT NOT NULL DEFAULT 0,
         owner TEXT,
         note TEXT,
         valid_from BIGINT,
         valid_until BIGINT))",
    R"(CREATE TABLE vehicle_logs (
         id @ID@,
         camera_id TEXT,
         track_id BIGINT,
         plate_number TEXT,
         vehicle_type TEXT,
         entry_time BIGINT,
         exit_time BIGINT,
         ocr_confidence DOUBLE PRECISION,
         status TEXT))",
    R"(CREATE TABLE occupancy_logs (
         id @ID@,
         camera_id TEXT NOT NULL,
         current_occupancy BIGINT NOT NULL,
         entries_count BIGINT NOT NULL,
         exits_count BIGINT NOT NULL,
         timestamp BIGINT NOT NULL))",
    R"(CREATE TABLE system_metrics (
         id @ID@,
         camera_id TEXT NOT NULL,
         frame_id BIGINT NOT NULL,
         processing_ms DOUBLE PRECISION NOT NULL,
         aws_calls INTEGER NOT NULL DEFAULT 0,
         aws_cost_est DOUBLE PRECISION NOT NULL DEFAULT 0,
         cache_hits INTEGER NOT NULL DEFAULT 0,
         timestamp BIGINT NOT NULL))",
    R"(CREATE TABLE line_crossings (
         id @ID@,
         camera_id TEXT NOT NULL,
         line_id TEXT NOT NULL,
         track_id BIGINT NOT NULL,
         class_id INTEGER NOT NULL,
         direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
         time BIGINT NOT NULL,
         event_key TEXT NOT NULL UNIQUE))",
    // The API filters every time series by camera and a time range.
    "CREATE INDEX occupancy_logs_camera_time ON occupancy_logs (camera_id, timestamp)",
    "CREATE INDEX system_metrics_camera_time ON system_metrics (camera_id, timestamp)",
    "CREATE INDEX line_crossings_camera_time ON line_crossings (camera_id, time)",
    "CREATE INDEX vehicle_logs_camera_time ON vehicle_logs (camera_id, entry_time)",
    "CREATE INDEX attendance_records_employee_time ON attendance_records (employee_id, "
    "check_in_time)",
};

// Version 2, identity and attendance: face templates (embeddings as base64 of little-endian
// float32, so one code path serves SQLite and PostgreSQL; photos only when recognition.keep_photos)
// and the attendance ledger's columns. One record per employee and shift_date (the date the
// shift starts on): entrance cameras and a restart update that row instead of adding another.
const std::vector<std::string> kIdentityTables = {
    R"(CREATE TABLE face_templates (
         id @ID@,
         employee_id BIGINT NOT NULL REFERENCES employees(id) ON DELETE CASCADE,
         embedding TEXT NOT NULL,
         model TEXT NOT NULL,
         dim INTEGER NOT NULL,
         quality DOUBLE PRECISION NOT NULL,
         aws_face_id TEXT,
         photo TEXT,
         created_at BIGINT NOT NULL))",
    "CREATE INDEX face_templates_employee ON face_templates (employee_id)",
    "ALTER TABLE attendance_records ADD COLUMN shift_date TEXT",
    "ALTER TABLE attendance_records ADD COLUMN early_leave SMALLINT NOT NULL DEFAULT 0",
    "ALTER TABLE attendance_records ADD COLUMN confidence DOUBLE PRECISION",
    "ALTER TABLE attendance_records ADD COLUMN camera_id TEXT",
    "ALTER TABLE attendance_records ADD COLUMN last_seen_time BIGINT",
    "ALTER TABLE attendance_records ADD COLUMN exit_time BIGINT",
    "ALTER TABLE attendance_records ADD COLUMN check_out_source TEXT",
    "ALTER TABLE attendance_records ADD COLUMN updated_at BIGINT",
    "CREATE UNIQUE INDEX attendance_records_employee_shift ON attendance_records (employee_id, "
    "shift_date)",
    "CREATE INDEX attendance_records_shift_date ON attendance_records (shift_date)",
};

// Version 3, vehicles: the white/black list column, entry bookkeeping, and the visit ledger's
// idempotence key ("camera/track/first-seen ms": a retried or replayed write updates its row)
// plus the list entry a read matched and the time the API filters on (entry, else exit).
const std::vector<std::string> kVehicleTables = {
    "ALTER TABLE vehicles ADD COLUMN list TEXT NOT NULL DEFAULT 'whitelist'",
    "ALTER TABLE vehicles ADD COLUMN created_at BIGINT",
    "ALTER TABLE vehicles ADD COLUMN updated_at BIGINT",
    "CREATE INDEX vehicles_list ON vehicles (list)",
    "ALTER TABLE vehicle_logs ADD COLUMN matched_plate TEXT",
    "ALTER TABLE vehicle_logs ADD COLUMN visit_key TEXT",
    "ALTER TABLE vehicle_logs ADD COLUMN event_time BIGINT",
    "CREATE UNIQUE INDEX vehicle_logs_visit_key ON vehicle_logs (visit_key)",
    "CREATE INDEX vehicle_logs_event_time ON vehicle_logs (event_time)",
    "CREATE INDEX vehicle_logs_plate ON vehicle_logs (plate_number)",
};

// Version 4, cameras: the counting lines saved from the dashboard, one row per line in display
// order; they override the config's lines of that camera at start-up.
const std::vector<std::string> kCameraTables = {
    R"(CREATE TABLE camera_lines (
         camera_id TEXT NOT NULL,
         position INTEGER NOT NULL,
         line_id TEXT NOT NULL,
         x1 DOUBLE PRECISION NOT NULL,
         y1 DOUBLE PRECISION NOT NULL,
         x2 DOUBLE PRECISION NOT NULL,
         y2 DOUBLE PRECISION NOT NULL,
         in_side TEXT NOT NULL CHECK (in_side IN ('left', 'right')),
         infinite SMALLINT NOT NULL DEFAULT 0,
         updated_at BIGINT NOT NULL,
         PRIMARY KEY (camera_id, position)))",
};

// Version 5, visits after a restart: when the vehicle was last seen (written every few seconds
// while its track is in view) and why a visit was closed without an exit at its gate or track
// end ("restart": the previous run stopped while the track was in view, exit_time = last_seen
// when known; "expired": a gate entry open longer than anpr.max_visit_hours, exit unknown).
const std::vector<std::string> kVisitRecoveryColumns = {
    "ALTER TABLE vehicle_logs ADD COLUMN last_seen BIGINT",
    "ALTER TABLE vehicle_logs ADD COLUMN closed_reason TEXT",
};

// Version 6, open visits: a partial index on the visits still open (no exit, not closed), which
// the plate analyzer sweeps once a minute for expired gate entries: the sweep reads the few open
// rows, not the whole ledger. Its predicate is kOpen of vehicle_store.cpp, word for word (SQLite
// uses a partial index only for a query whose WHERE holds its terms).
const std::vector<std::string> kOpenVisitsIndex = {
    "CREATE INDEX vehicle_logs_open ON vehicle_logs (entry_time) WHERE exit_time IS NULL AND "
    "closed_reason IS NULL",
};

std::string id_column(Dialect dialect) {
  return dialect == Dialect::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                     : "BIGSERIAL PRIMARY KEY";
}

std::vector<std::string> in_dialect(const std::vector<std::string>& statements, Dialect dialect) {
  static const std::string kPlaceholder = "@ID@";
  std::vector<std::string> out;
  for (std::string sql : statements) {
    if (const auto at = sql.find(kPlaceholder); at != std::string::npos) {
      sql.replace(at, kPlaceholder.size(), id_column(dialect));
    }
    out.push_back(std::move(sql));
  }
  return out;
}

}  // namespace

std::vector<Migration> migrations(Dialect dialect) {
  return {{1, "seed tables and crossing ledger", in_dialect(kSeedTables, dialect)},
          {2, "face templates and the attendance ledger", in_dialect(kIdentityTables, dialect)},
          {3, "vehicle lists and the visit ledger", in_dialect(kVehicleTables, dialect)},
          {4, "counting lines edited from the dashboard", in_dialect(kCameraTables, dialect)},
          {5, "vehicle visits closed after a restart", in_dialect(kVisitRecoveryColumns, dialect)},
          {6, "index of the open vehicle visits", in_dialect(kOpenVisitsIndex, dialect)}};
}

std::string create_migrations_table_sql() {
  return "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
         "name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
}

}  // namespace fai::store
