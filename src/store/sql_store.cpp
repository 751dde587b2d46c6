// The Store of the seed's time series and the crossing ledger, for both SQLite and PostgreSQL
// (sql_common.h). SOCI exceptions are caught there and become Errors; nothing SOCI leaves
// src/store.

#include <algorithm>
#include <functional>
#include <limits>

#include "store/schema.h"
#include "store/sql_common.h"
#include "store/store.h"

namespace fai {
namespace {

using namespace store;

const char* to_text(CrossingDirection direction) {
  return direction == CrossingDirection::kIn ? "in" : "out";
}

int current_version(soci::session& s) {
  int version = 0;
  soci::indicator ind = soci::i_null;
  s << "SELECT MAX(version) FROM schema_migrations", soci::into(version, ind);
  return ind == soci::i_ok ? version : 0;
}

void migrate(soci::session& s, Dialect dialect) {
  in_write_transaction(s, dialect, [dialect](soci::session& tx) {
    // Serialises concurrent start-ups against one PostgreSQL database.
    if (dialect == Dialect::kPostgres) tx << "SELECT pg_advisory_xact_lock(7243001)";
    tx << store::create_migrations_table_sql();
    const int applied = current_version(tx);
    const long long now = to_ms(std::chrono::system_clock::now());
    for (const auto& migration : store::migrations(dialect)) {
      if (migration.version <= applied) continue;
      for (const auto& statement : migration.statements) tx << statement;
      tx << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)",
          soci::use(migration.version), soci::use(migration.name), soci::use(now);
    }
  });
}

void insert_crossings(soci::session& s, const std::vector<CrossingRow>& rows) {
  std::vector<std::string> camera, line, direction, key;
  std::vector<long long> track, time;
  std::vector<int> class_id;
  for (const auto& row : rows) {
    camera.push_back(row.camera_id);
    line.push_back(row.line_id);
    track.push_back(row.track_id);
    class_id.push_back(row.class_id);
    direction.push_back(to_text(row.direction));
    time.push_back(to_ms(row.time));
    key.push_back(row.event_key.empty() ? crossing_event_key(row) : row.event_key);
  }
  s << "INSERT INTO line_crossings (camera_id, line_id, track_id, class_id, direction, time, "
       "event_key) VALUES (:c, :l, :t, :k, :d, :tm, :e) ON CONFLICT (event_key) DO NOTHING",
      soci::use(camera), soci::use(line), soci::use(track), soci::use(class_id),
      soci::use(direction), soci::use(time), soci::use(key);
}

void insert_snapshots(soci::session& s, const std::vector<OccupancySnapshot>& rows) {
  std::vector<std::string> camera;
  std::vector<long long> occupancy, entries, exits, time;
  for (const auto& row : rows) {
    camera.push_back(row.camera_id);
    occupancy.push_back(row.current_occupancy);
    entries.push_back(row.entries_count);
    exits.push_back(row.exits_count);
    time.push_back(to_ms(row.timestamp));
  }
  s << "INSERT INTO occupancy_logs (camera_id, current_occupancy, entries_count, exits_count, "
       "timestamp) VALUES (:c, :o, :en, :ex, :t)",
      soci::use(camera), soci::use(occupancy), soci::use(entries), soci::use(exits),
      soci::use(time);
}

void insert_metrics(soci::session& s, const std::vector<MetricRow>& rows) {
  std::vector<std::string> camera;
  std::vector<long long> frame, time;
  std::vector<double> processing, cost;
  std::vector<int> calls, hits;
  for (const auto& row : rows) {
    camera.push_back(row.camera_id);
    frame.push_back(row.frame_id);
    processing.push_back(row.processing_ms);
    calls.push_back(row.aws_calls);
    cost.push_back(row.aws_cost_est);
    hits.push_back(row.cache_hits);
    time.push_back(to_ms(row.timestamp));
  }
  s << "INSERT INTO system_metrics (camera_id, frame_id, processing_ms, aws_calls, aws_cost_est, "
       "cache_hits, timestamp) VALUES (:c, :f, :p, :a, :e, :h, :t)",
      soci::use(camera), soci::use(frame), soci::use(processing), soci::use(calls), soci::use(cost),
      soci::use(hits), soci::use(time);
}

// Fields of one table: the columns to select, where SOCI writes them, and the row they make.
struct CrossingFields {
  static constexpr const char* kTable = "line_crossings";
  static constexpr const char* kTimeColumn = "time";
  static constexpr const char* kColumns =
      "camera_id, line_id, track_id, class_id, direction, time, event_key";
  std::string camera, line, direction, key;
  long long track = 0, time_ms = 0;
  int class_id = 0;

  void bind(soci::statement& st) {
    st.exchange(soci::into(camera));
    st.exchange(soci::into(line));
    st.exchange(soci::into(track));
    st.exchange(soci::into(class_id));
    st.exchange(soci::into(direction));
    st.exchange(soci::into(time_ms));
    st.exchange(soci::into(key));
  }
  CrossingRow row() const {
    const auto dir = direction == "in" ? CrossingDirection::kIn : CrossingDirection::kOut;
    return {camera, line, track, class_id, dir, from_ms(time_ms), key};
  }
};

struct SnapshotFields {
  static constexpr const char* kTable = "occupancy_logs";
  static constexpr const char* kTimeColumn = "timestamp";
  static constexpr const char* kColumns =
      "camera_id, current_occupancy, entries_count, exits_count, timestamp";
  std::string camera;
  long long occupancy = 0, entries = 0, exits = 0, time_ms = 0;

  void bind(soci::statement& st) {
    st.exchange(soci::into(camera));
    st.exchange(soci::into(occupancy));
    st.exchange(soci::into(entries));
    st.exchange(soci::into(exits));
    st.exchange(soci::into(time_ms));
  }
  OccupancySnapshot row() const { return {camera, occupancy, entries, exits, from_ms(time_ms)}; }
};

struct MetricFields {
  static constexpr const char* kTable = "system_metrics";
  static constexpr const char* kTimeColumn = "timestamp";
  static constexpr const char* kColumns =
      "camera_id, frame_id, processing_ms, aws_calls, aws_cost_est, cache_hits, timestamp";
  std::string camera;
  long long frame = 0, time_ms = 0;
  double processing = 0, cost = 0;
  int calls = 0, hits = 0;

  void bind(soci::statement& st) {
    st.exchange(soci::into(camera));
    st.exchange(soci::into(frame));
    st.exchange(soci::into(processing));
    st.exchange(soci::into(calls));
    st.exchange(soci::into(cost));
    st.exchange(soci::into(hits));
    st.exchange(soci::into(time_ms));
  }
  MetricRow row() const { return {camera, frame, processing, calls, cost, hits, from_ms(time_ms)}; }
};

template <class Fields>
auto read_page(soci::session& s, const RangeQuery& query) {
  RangeFilter filter(query, Fields::kTimeColumn);
  Page<decltype(Fields{}.row())> page;
  Fields fields;
  page.total = select_page(
      s, Fields::kColumns, std::string("FROM ") + Fields::kTable + filter.where(),
      std::string(Fields::kTimeColumn) + ", id", query.limit, query.offset,
      [&](soci::statement& st) { filter.bind(st); }, [&](soci::statement& st) { fields.bind(st); },
      [&] { page.rows.push_back(fields.row()); });
  return page;
}

std::vector<CameraCounters> replay_ledger(soci::session& s) {
  std::vector<CameraCounters> counters;
  std::string camera, direction;
  for_each_row(
      s, "SELECT camera_id, direction FROM line_crossings ORDER BY camera_id, time, id",
      [&](soci::statement& st) {
        st.exchange(soci::into(camera));
        st.exchange(soci::into(direction));
      },
      [&] {
        if (counters.empty() || counters.back().camera_id != camera) counters.push_back({camera});
        auto& c = counters.back();
        if (direction == "in") {
          ++c.entries;
          ++c.occupancy;
        } else {
          ++c.exits;
          c.occupancy = std::max<int64_t>(0, c.occupancy - 1);
        }
      });
  return counters;
}

MetricsSummary summarize_metrics(soci::session& s, const RangeQuery& query) {
  RangeFilter filter(query, MetricFields::kTimeColumn);
  MetricsSummary summary;
  double mean = 0;
  soci::indicator mean_ind = soci::i_null;
  long long count = 0;
  for_each_row(
      s, "SELECT COUNT(*), AVG(processing_ms) FROM system_metrics" + filter.where(),
      [&](soci::statement& st) {
        st.exchange(soci::into(count));
        st.exchange(soci::into(mean, mean_ind));
        filter.bind(st);
      },
      [] {});
  if (count == 0) return summary;
  summary.count = count;
  summary.mean_processing_ms = mean_ind == soci::i_ok ? mean : 0;
  // The middle one (odd count) or two (even count) values in sorted order.
  long long middle_rows = count % 2 == 1 ? 1 : 2, skip = (count - 1) / 2;
  double value = 0, sum = 0;
  for_each_row(
      s,
      "SELECT processing_ms FROM system_metrics" + filter.where() +
          " ORDER BY processing_ms LIMIT :n OFFSET :skip",
      [&](soci::statement& st) {
        st.exchange(soci::into(value));
        filter.bind(st);
        st.exchange(soci::use(middle_rows));
        st.exchange(soci::use(skip));
      },
      [&] { sum += value; });
  summary.median_processing_ms = sum / static_cast<double>(middle_rows);
  return summary;
}

int64_t max_frame_id(soci::session& s) {
  long long id = 0;
  soci::indicator ind = soci::i_null;
  s << "SELECT MAX(frame_id) FROM system_metrics", soci::into(id, ind);
  return ind == soci::i_ok ? id : 0;
}

Status check_page(const RangeQuery& query) {
  if (query.limit < 0 || query.offset < 0) {
    return make_error(ErrorCode::kInvalidArgument, "limit and offset must be >= 0");
  }
  return {};
}

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Status migrate_schema() {
    return db_->on_writer([&](soci::session& s) { migrate(s, db_->dialect()); });
  }

  Status write(const WriteBatch& batch) override {
    if (batch.size() == 0) return {};
    return db_->write([&](soci::session& tx) {
      if (!batch.crossings.empty()) insert_crossings(tx, batch.crossings);
      if (!batch.snapshots.empty()) insert_snapshots(tx, batch.snapshots);
      if (!batch.metrics.empty()) insert_metrics(tx, batch.metrics);
    });
  }

  Expected<std::vector<CameraCounters>> restore_counters() override {
    return read<std::vector<CameraCounters>>(replay_ledger);
  }

  Expected<Page<OccupancySnapshot>> occupancy(const RangeQuery& query) override {
    return read_checked<Page<OccupancySnapshot>>(query, read_page<SnapshotFields>);
  }
  Expected<Page<CrossingRow>> crossings(const RangeQuery& query) override {
    return read_checked<Page<CrossingRow>>(query, read_page<CrossingFields>);
  }
  Expected<Page<MetricRow>> metrics(const RangeQuery& query) override {
    return read_checked<Page<MetricRow>>(query, read_page<MetricFields>);
  }
  Expected<MetricsSummary> metrics_summary(const RangeQuery& query) override {
    return read_checked<MetricsSummary>(query, summarize_metrics);
  }

  Expected<int> schema_version() override { return read<int>(current_version); }
  Expected<int64_t> max_frame_id() override { return read<int64_t>(fai::max_frame_id); }

 private:
  template <class T, class Query>
  Expected<T> read(Query query) {
    return db_->read_value<T>(query);
  }

  template <class T, class Query>
  Expected<T> read_checked(const RangeQuery& range, Query query) {
    if (Status st = check_page(range); !st.ok()) return st.error();
    return read<T>([&](soci::session& s) { return query(s, range); });
  }

  std::unique_ptr<Database> db_;
};

}  // namespace

std::string crossing_event_key(const CrossingRow& row) {
  return row.camera_id + "/" + row.line_id + "/" + std::to_string(row.track_id) + "/" +
         to_text(row.direction) + "/" + std::to_string(to_ms(row.time));
}

Expected<std::unique_ptr<Store>> open_store(const StoreConfig& config) {
  auto db = Database::open(config);
  if (!db) return db.error();
  auto store = std::make_unique<SqlStore>(std::move(*db));
  if (Status st = store->migrate_schema(); !st.ok()) return st.error();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace fai
