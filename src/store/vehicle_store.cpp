// Vehicle lists and visits over SOCI (sql_common.h); nothing SOCI leaves this file.

#include "store/vehicle_store.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "store/sql_common.h"

namespace fai {
namespace {

using namespace store;

constexpr const char* kEntryColumns =
    "plate_number, list, vehicle_type, owner, note, valid_from, valid_until, created_at, "
    "updated_at";
constexpr const char* kVisitColumns =
    "id, visit_key, camera_id, track_id, plate_number, vehicle_type, entry_time, exit_time, "
    "ocr_confidence, status, matched_plate, last_seen, closed_reason";
// A visit with neither an exit nor a closing reason: the vehicle may still be inside.
constexpr const char* kOpen = "exit_time IS NULL AND closed_reason IS NULL";

// One row of kEntryColumns.
struct EntryRow {
  std::string plate, list;
  OptionalText type, owner, note;
  OptionalMs from, until, created, updated;

  void bind(soci::statement& st) {
    st.exchange(soci::into(plate));
    st.exchange(soci::into(list));
    st.exchange(soci::into(type.value, type.ind));
    st.exchange(soci::into(owner.value, owner.ind));
    st.exchange(soci::into(note.value, note.ind));
    st.exchange(soci::into(from.value, from.ind));
    st.exchange(soci::into(until.value, until.ind));
    st.exchange(soci::into(created.value, created.ind));
    st.exchange(soci::into(updated.value, updated.ind));
  }
  VehicleEntry entry() const {
    VehicleEntry e;
    e.plate_number = plate;
    e.list = parse_plate_list(list).value_or(PlateList::kWhitelist);
    e.vehicle_type = type.text();
    e.owner = owner.text();
    e.note = note.text();
    e.valid_from = from.time();
    e.valid_until = until.time();
    e.created_at = created.time().value_or(SystemTime{});
    e.updated_at = updated.time().value_or(e.created_at);
    return e;
  }
};

// One row of kVisitColumns.
struct VisitRow {
  long long id = 0, track = 0;
  OptionalText key, camera, plate, type, status, matched, closed;
  OptionalMs entry, exit, last_seen;
  double confidence = 0;
  soci::indicator confidence_ind = soci::i_null;

  void bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(key.value, key.ind));
    st.exchange(soci::into(camera.value, camera.ind));
    st.exchange(soci::into(track));
    st.exchange(soci::into(plate.value, plate.ind));
    st.exchange(soci::into(type.value, type.ind));
    st.exchange(soci::into(entry.value, entry.ind));
    st.exchange(soci::into(exit.value, exit.ind));
    st.exchange(soci::into(confidence, confidence_ind));
    st.exchange(soci::into(status.value, status.ind));
    st.exchange(soci::into(matched.value, matched.ind));
    st.exchange(soci::into(last_seen.value, last_seen.ind));
    st.exchange(soci::into(closed.value, closed.ind));
  }
  VehicleVisit visit() const {
    VehicleVisit v;
    v.id = id;
    v.visit_key = key.text();
    v.camera_id = camera.text();
    v.track_id = track;
    v.plate_number = plate.text();
    v.vehicle_type = type.text();
    v.entry_time = entry.time();
    v.exit_time = exit.time();
    v.ocr_confidence = confidence_ind == soci::i_ok ? static_cast<float>(confidence) : 0.0f;
    v.status = status.text();
    v.matched_plate = matched.text();
    v.last_seen = last_seen.time();
    v.closed_reason = closed.text();
    return v;
  }
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// WHERE clause and its values for a list query; values bound in placeholder order.
struct ListFilter {
  std::string where = " WHERE 1 = 1";
  std::string list, pattern;
  explicit ListFilter(const VehicleListQuery& q) {
    if (q.list) {
      list = to_string(*q.list);
      where += " AND list = :list";
    }
    if (!q.q.empty()) {
      pattern = "%" + lower(q.q) + "%";
      where +=
          " AND (LOWER(plate_number) LIKE :p1 OR LOWER(COALESCE(owner, '')) LIKE :p2 OR "
          "LOWER(COALESCE(note, '')) LIKE :p3)";
    }
  }
  void bind(soci::statement& st) {
    if (!list.empty()) st.exchange(soci::use(list));
    if (!pattern.empty()) {
      for (int i = 0; i < 3; ++i) st.exchange(soci::use(pattern));
    }
  }
};

struct VisitFilter {
  std::string where = " WHERE 1 = 1";
  std::string plate, status, camera;
  long long from = std::numeric_limits<long long>::min();
  long long to = std::numeric_limits<long long>::max();
  explicit VisitFilter(const VisitQuery& q)
      : plate(q.plate), status(q.status), camera(q.camera_id) {
    if (!plate.empty()) where += " AND (plate_number = :plate OR matched_plate = :matched)";
    if (!status.empty()) where += " AND status = :status";
    if (!camera.empty()) where += " AND camera_id = :camera";
    if (q.from) from = to_ms(*q.from);
    if (q.to) to = to_ms(*q.to);
    where += " AND event_time >= :from AND event_time < :to";
  }
  void bind(soci::statement& st) {
    if (!plate.empty()) {
      st.exchange(soci::use(plate));
      st.exchange(soci::use(plate));
    }
    if (!status.empty()) st.exchange(soci::use(status));
    if (!camera.empty()) st.exchange(soci::use(camera));
    st.exchange(soci::use(from));
    st.exchange(soci::use(to));
  }
};

std::optional<VehicleEntry> find_entry(soci::session& s, const std::string& plate) {
  std::optional<VehicleEntry> found;
  EntryRow row;
  std::string key = plate;
  for_each_row(
      s, std::string("SELECT ") + kEntryColumns + " FROM vehicles WHERE plate_number = :p",
      [&](soci::statement& st) {
        row.bind(st);
        st.exchange(soci::use(key));
      },
      [&] { found = row.entry(); });
  return found;
}

// Writes every column of `e` (insert or update by plate); `whitelist` mirrors the list for the
// seed's column.
void write_entry(soci::session& s, const VehicleEntry& e, bool insert) {
  std::string plate = e.plate_number, list = to_string(e.list), type = e.vehicle_type,
              owner = e.owner, note = e.note;
  int whitelist = e.list == PlateList::kWhitelist ? 1 : 0;
  OptionalMs from = OptionalMs::of(e.valid_from), until = OptionalMs::of(e.valid_until);
  long long created = to_ms(e.created_at), updated = to_ms(e.updated_at);
  if (insert) {
    s << "INSERT INTO vehicles (plate_number, list, whitelist, status, vehicle_type, owner, note, "
         "valid_from, valid_until, created_at, updated_at) VALUES (:plate, :list, :w, 'active', "
         ":type, :owner, :note, :from, :until, :created, :updated)",
        soci::use(plate), soci::use(list), soci::use(whitelist), soci::use(type), soci::use(owner),
        soci::use(note), soci::use(from.value, from.ind), soci::use(until.value, until.ind),
        soci::use(created), soci::use(updated);
  } else {
    s << "UPDATE vehicles SET list = :list, whitelist = :w, vehicle_type = :type, owner = :owner, "
         "note = :note, valid_from = :from, valid_until = :until, updated_at = :updated WHERE "
         "plate_number = :plate",
        soci::use(list), soci::use(whitelist), soci::use(type), soci::use(owner), soci::use(note),
        soci::use(from.value, from.ind), soci::use(until.value, until.ind), soci::use(updated),
        soci::use(plate);
  }
}

Error no_such_plate(const std::string& plate) {
  return make_error(ErrorCode::kNotFound, "no vehicle with plate " + plate);
}

}  // namespace

bool VehicleEntry::active_at(SystemTime t) const {
  return (!valid_from || t >= *valid_from) && (!valid_until || t <= *valid_until);
}

VehicleStore::VehicleStore(std::unique_ptr<store::Database> db) : db_(std::move(db)) {}
VehicleStore::~VehicleStore() = default;

Expected<std::unique_ptr<VehicleStore>> VehicleStore::open(const StoreConfig& config) {
  auto db = Database::open(config);
  if (!db) return db.error();
  return std::unique_ptr<VehicleStore>(new VehicleStore(std::move(*db)));
}

Expected<Page<VehicleEntry>> VehicleStore::list(const VehicleListQuery& query) {
  Page<VehicleEntry> page;
  const Status status = db_->read([&](soci::session& s) {
    ListFilter filter(query);
    EntryRow row;
    page.total = select_page(
        s, kEntryColumns, "FROM vehicles" + filter.where, "plate_number", query.limit, query.offset,
        [&](soci::statement& st) { filter.bind(st); }, [&](soci::statement& st) { row.bind(st); },
        [&] { page.rows.push_back(row.entry()); });
  });
  if (!status) return status.error();
  return page;
}

Expected<std::vector<VehicleEntry>> VehicleStore::all_entries() {
  auto page = list({std::nullopt, "", std::numeric_limits<int64_t>::max() / 2, 0});
  if (!page) return page.error();
  return std::move(page->rows);
}

Expected<VehicleEntry> VehicleStore::get(const std::string& plate) {
  std::optional<VehicleEntry> found;
  const Status status = db_->read([&](soci::session& s) { found = find_entry(s, plate); });
  if (!status) return status.error();
  if (!found) return no_such_plate(plate);
  return *found;
}

Expected<VehicleEntry> VehicleStore::add(VehicleEntry entry) {
  entry.created_at = entry.updated_at =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  bool exists = false;
  const Status status = db_->write([&](soci::session& s) {
    exists = find_entry(s, entry.plate_number).has_value();
    if (!exists) write_entry(s, entry, true);
  });
  if (!status) return status.error();
  if (exists) {
    return make_error(ErrorCode::kConflict, "plate " + entry.plate_number + " is listed already");
  }
  ++generation_;
  return entry;
}

Expected<VehicleEntry> VehicleStore::update(VehicleEntry entry) {
  entry.updated_at =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  std::optional<VehicleEntry> old;
  const Status status = db_->write([&](soci::session& s) {
    old = find_entry(s, entry.plate_number);
    if (old) write_entry(s, entry, false);
  });
  if (!status) return status.error();
  if (!old) return no_such_plate(entry.plate_number);
  entry.created_at = old->created_at;
  ++generation_;
  return entry;
}

Status VehicleStore::remove(const std::string& plate) {
  bool existed = false;
  const Status status = db_->write([&](soci::session& s) {
    existed = find_entry(s, plate).has_value();
    std::string key = plate;
    if (existed) s << "DELETE FROM vehicles WHERE plate_number = :p", soci::use(key);
  });
  if (!status) return status;
  if (!existed) return no_such_plate(plate);
  ++generation_;
  return {};
}

// A write without a reason keeps the row's. The running expiry sweep and a gate exit may write
// the same visit in either order (the sweep reads the open visits while another camera's worker
// pairs an exit): the vehicle did leave, so the exit wins both ways. An "expired" write leaves a
// visit that has its exit alone, and an exit clears an "expired" written before it. "restart"
// closes carry an exit of their own and stay.
constexpr char kClosedReasonOnConflict[] =
    "CASE WHEN excluded.closed_reason = 'expired' AND vehicle_logs.exit_time IS NOT NULL "
    "THEN vehicle_logs.closed_reason "
    "WHEN excluded.exit_time IS NOT NULL AND excluded.closed_reason IS NULL "
    "AND vehicle_logs.closed_reason = 'expired' THEN NULL "
    "ELSE COALESCE(excluded.closed_reason, vehicle_logs.closed_reason) END";

Status VehicleStore::record_visit(const VehicleVisit& v) {
  return db_->write([&](soci::session& s) {
    std::string key = v.visit_key, camera = v.camera_id, plate = v.plate_number,
                type = v.vehicle_type, status = v.status, matched = v.matched_plate,
                closed = v.closed_reason;
    long long track = v.track_id;
    double confidence = v.ocr_confidence;
    OptionalMs entry = OptionalMs::of(v.entry_time), exit = OptionalMs::of(v.exit_time);
    OptionalMs last_seen = OptionalMs::of(v.last_seen);
    const auto event = v.entry_time ? v.entry_time : v.exit_time;
    OptionalMs event_time = OptionalMs::of(event);
    soci::indicator matched_ind = matched.empty() ? soci::i_null : soci::i_ok;
    soci::indicator closed_ind = closed.empty() ? soci::i_null : soci::i_ok;
    s << "INSERT INTO vehicle_logs (visit_key, camera_id, track_id, plate_number, vehicle_type, "
         "entry_time, exit_time, ocr_confidence, status, matched_plate, event_time, last_seen, "
         "closed_reason) VALUES (:k, :c, :t, :p, :ty, :en, :ex, :conf, :st, :m, :ev, :ls, :cr) "
         "ON CONFLICT (visit_key) DO UPDATE SET "
         "plate_number = excluded.plate_number, vehicle_type = excluded.vehicle_type, "
         "entry_time = COALESCE(vehicle_logs.entry_time, excluded.entry_time), "
         "exit_time = COALESCE(excluded.exit_time, vehicle_logs.exit_time), "
         "ocr_confidence = excluded.ocr_confidence, status = excluded.status, "
         "matched_plate = excluded.matched_plate, "
         "event_time = COALESCE(vehicle_logs.entry_time, excluded.entry_time, "
         "excluded.exit_time), "
         "last_seen = COALESCE(excluded.last_seen, vehicle_logs.last_seen), "
         "closed_reason = " +
             std::string(kClosedReasonOnConflict),
        soci::use(key), soci::use(camera), soci::use(track), soci::use(plate), soci::use(type),
        soci::use(entry.value, entry.ind), soci::use(exit.value, exit.ind), soci::use(confidence),
        soci::use(status), soci::use(matched, matched_ind),
        soci::use(event_time.value, event_time.ind), soci::use(last_seen.value, last_seen.ind),
        soci::use(closed, closed_ind);
  });
}

namespace {

// The open visits that `condition` (an SQL condition and ORDER BY, its placeholders bound by
// `bind`) selects.
Expected<std::vector<VehicleVisit>> select_open_visits(store::Database& db,
                                                       const std::string& condition,
                                                       const store::Binder& bind) {
  std::vector<VehicleVisit> out;
  const Status status = db.read([&](soci::session& s) {
    VisitRow row;
    for_each_row(
        s, std::string("SELECT ") + kVisitColumns + " FROM vehicle_logs WHERE " + kOpen + condition,
        [&](soci::statement& st) {
          row.bind(st);
          bind(st);
        },
        [&] { out.push_back(row.visit()); });
  });
  if (!status) return status.error();
  return out;
}

}  // namespace

Expected<std::vector<VehicleVisit>> VehicleStore::open_visits(const std::string& camera_id,
                                                              SystemTime entered_since,
                                                              int64_t limit) {
  std::string camera = camera_id;
  long long since = to_ms(entered_since), n = limit;
  return select_open_visits(*db_,
                            " AND camera_id = :c AND entry_time >= :since AND plate_number <> '' "
                            "ORDER BY entry_time DESC, id DESC LIMIT :n",
                            [&](soci::statement& st) {
                              st.exchange(soci::use(camera));
                              st.exchange(soci::use(since));
                              st.exchange(soci::use(n));
                            });
}

Expected<std::vector<VehicleVisit>> VehicleStore::all_open_visits() {
  return select_open_visits(*db_, " ORDER BY event_time, id", [](soci::statement&) {});
}

Expected<std::vector<VehicleVisit>> VehicleStore::open_visits_entered_before(SystemTime before) {
  long long cutoff = to_ms(before);
  return select_open_visits(*db_, " AND entry_time < :before ORDER BY entry_time, id",
                            [&](soci::statement& st) { st.exchange(soci::use(cutoff)); });
}

Expected<Page<VehicleVisit>> VehicleStore::visits(const VisitQuery& query) {
  Page<VehicleVisit> page;
  const Status status = db_->read([&](soci::session& s) {
    VisitFilter filter(query);
    VisitRow row;
    page.total = select_page(
        s, kVisitColumns, "FROM vehicle_logs" + filter.where, "event_time, id", query.limit,
        query.offset, [&](soci::statement& st) { filter.bind(st); },
        [&](soci::statement& st) { row.bind(st); }, [&] { page.rows.push_back(row.visit()); });
  });
  if (!status) return status.error();
  return page;
}

}  // namespace fai
