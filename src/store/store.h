#pragma once
// Persistence: the crossing ledger, occupancy snapshots and per-frame metrics, in SQLite or
// PostgreSQL behind one interface. Plain structs in and out; no SOCI type or exception crosses
// this header. Every time is stored as BIGINT epoch milliseconds UTC (sorts and filters fast);
// callers see SystemTime and convert to ISO-8601 at the HTTP edge.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/expected.h"
#include "core/types.h"

namespace fai {

// One row of the crossing ledger (table line_crossings). event_key identifies the event across
// retries and spool replays: a second insert with the same key is ignored.
struct CrossingRow {
  std::string camera_id;
  std::string line_id;
  int64_t track_id = 0;
  int class_id = -1;
  CrossingDirection direction = CrossingDirection::kIn;
  SystemTime time;
  std::string event_key;  // empty = derived by crossing_event_key()
  bool operator==(const CrossingRow&) const = default;
};

// "camera/line/track/in|out/epoch_ms": the same crossing always gets the same key.
std::string crossing_event_key(const CrossingRow& row);

// A point of the occupancy-over-time series (table occupancy_logs).
struct OccupancySnapshot {
  std::string camera_id;
  int64_t current_occupancy = 0;
  int64_t entries_count = 0;
  int64_t exits_count = 0;
  SystemTime timestamp;
  bool operator==(const OccupancySnapshot&) const = default;
};

// Per-frame processing metrics (table system_metrics).
struct MetricRow {
  std::string camera_id;
  int64_t frame_id = 0;
  double processing_ms = 0;
  int aws_calls = 0;
  double aws_cost_est = 0;
  int cache_hits = 0;
  SystemTime timestamp;
  bool operator==(const MetricRow&) const = default;
};

// Rows committed together in one transaction.
struct WriteBatch {
  std::vector<CrossingRow> crossings;
  std::vector<OccupancySnapshot> snapshots;
  std::vector<MetricRow> metrics;
  size_t size() const { return crossings.size() + snapshots.size() + metrics.size(); }
};

// Counters of one camera rebuilt from the crossing ledger at start-up.
struct CameraCounters {
  std::string camera_id;
  int64_t entries = 0;
  int64_t exits = 0;
  int64_t occupancy = 0;
  bool operator==(const CameraCounters&) const = default;
};

// Filter + page for the time-series reads: rows with from <= time < to, oldest first.
struct RangeQuery {
  std::string camera_id;  // empty = every camera
  std::optional<SystemTime> from;
  std::optional<SystemTime> to;
  int64_t limit = 100;
  int64_t offset = 0;
};

template <class Row>
struct Page {
  std::vector<Row> rows;
  int64_t total = 0;  // rows matching the filter, ignoring limit/offset
};

struct MetricsSummary {
  int64_t count = 0;
  double mean_processing_ms = 0;
  double median_processing_ms = 0;  // mean of the two middle values when count is even
};

// Which database and how to reach it.
//   sqlite:PATH  or  sqlite://PATH        a file (sqlite:///var/lib/fai.db is /var/lib/fai.db;
//                                         the path may hold spaces but no double quote)
//   postgresql://user@host:port/db        a libpq URL (postgres:// too)
//   host=... port=... dbname=... user=... a libpq conninfo string
struct StoreConfig {
  std::string url;
  std::chrono::milliseconds busy_timeout{5000};  // SQLite: wait this long for a locked file
};

// The database behind the pipeline. open_store() applies pending migrations before returning.
// Thread-safe: writes run on one connection and reads on another (SQLite WAL lets readers run
// beside the writer). A lost connection is reopened on the next call. Failures come back as
// errors: kUnavailable when the database cannot be reached, locked or read-only (retry later),
// kInternal for anything else.
class Store {
 public:
  virtual ~Store() = default;

  // All rows in one transaction; crossings whose event_key exists already are skipped.
  virtual Status write(const WriteBatch& batch) = 0;

  // Entries/exits count the ledger's 'in'/'out' rows; occupancy replays them in time order
  // (+1 in, -1 out, never below 0), the rule the live counter applies. Reads the whole ledger
  // once: meant for start-up. Cameras sorted by id.
  virtual Expected<std::vector<CameraCounters>> restore_counters() = 0;

  virtual Expected<Page<OccupancySnapshot>> occupancy(const RangeQuery& query) = 0;
  virtual Expected<Page<CrossingRow>> crossings(const RangeQuery& query) = 0;
  virtual Expected<Page<MetricRow>> metrics(const RangeQuery& query) = 0;
  // Over every row matching camera and time range; limit/offset are ignored.
  virtual Expected<MetricsSummary> metrics_summary(const RangeQuery& query) = 0;

  // Highest applied schema migration.
  virtual Expected<int> schema_version() = 0;
  // Highest frame_id in system_metrics (0 when empty): frame ids continue after a restart.
  virtual Expected<int64_t> max_frame_id() = 0;
};

Expected<std::unique_ptr<Store>> open_store(const StoreConfig& config);

}  // namespace fai
