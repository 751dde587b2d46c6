// The Store contract, run against the backend this binary targets (SQLite or PostgreSQL).

#include <algorithm>
#include <map>

#include "store/schema.h"
#include "store_fixture.h"

namespace fai::test {
namespace {

using Dir = CrossingDirection;
class StoreTest : public StoreFixture {};

constexpr long long kOpen = -1;

// A RangeQuery in plain scalars (ms after kBaseMs; kOpen = unbounded), for test tables.
struct Window {
  const char* camera = "";
  long long from_ms = kOpen;
  long long to_ms = kOpen;
  int64_t limit = 100;
  int64_t offset = 0;

  RangeQuery query() const {
    RangeQuery q{camera, std::nullopt, std::nullopt, limit, offset};
    if (from_ms != kOpen) q.from = at_ms(from_ms);
    if (to_ms != kOpen) q.to = at_ms(to_ms);
    return q;
  }
};

TEST_P(StoreTest, MigrationsApplyOnceAndReopenIsIdempotent) {
  for (int open_count = 1; open_count <= 3; ++open_count) {
    auto store = open();
    ASSERT_TRUE(store);
    auto version = store->schema_version();
    ASSERT_TRUE(version.ok()) << version.error().message;
    EXPECT_EQ(*version, store::migrations(store::Dialect::kSqlite).back().version);
  }
  EXPECT_EQ(count("schema_migrations"),
            static_cast<long long>(store::migrations(store::Dialect::kSqlite).size()));
}

TEST_P(StoreTest, EveryTableHasTheSeedColumnsAndOurAdditions) {
  ASSERT_TRUE(open());
  const std::map<std::string, std::vector<std::string>> expected = {
      {"employees",
       {"id", "employee_id", "name", "department", "shift_start", "shift_end", "aws_face_id",
        "consent", "created_at"}},
      {"attendance_records",
       {"id", "employee_id", "check_in_time", "check_out_time", "status", "aws_confidence",
        "track_id", "shift_date", "early_leave", "confidence", "camera_id", "last_seen_time",
        "exit_time", "check_out_source", "updated_at"}},
      {"face_templates",
       {"id", "employee_id", "embedding", "model", "dim", "quality", "aws_face_id", "photo",
        "created_at"}},
      {"vehicles",
       {"id", "plate_number", "vehicle_type", "status", "whitelist", "owner", "note", "valid_from",
        "valid_until", "list", "created_at", "updated_at"}},
      {"vehicle_logs",
       {"id", "camera_id", "track_id", "plate_number", "vehicle_type", "entry_time", "exit_time",
        "ocr_confidence", "status", "matched_plate", "visit_key", "event_time", "last_seen",
        "closed_reason"}},
      {"occupancy_logs",
       {"id", "camera_id", "current_occupancy", "entries_count", "exits_count", "timestamp"}},
      {"system_metrics",
       {"id", "camera_id", "frame_id", "processing_ms", "aws_calls", "aws_cost_est", "cache_hits",
        "timestamp"}},
      {"line_crossings",
       {"id", "camera_id", "line_id", "track_id", "class_id", "direction", "time", "event_key"}},
      {"camera_lines",
       {"camera_id", "position", "line_id", "x1", "y1", "x2", "y2", "in_side", "infinite",
        "updated_at"}},
      {"schema_migrations", {"version", "name", "applied_at"}},
  };
  for (const auto& [table, columns] : expected) {
    EXPECT_EQ(db_->columns(table), columns) << table;
  }
}

TEST_P(StoreTest, RowsRoundTrip) {
  auto store = open();
  ASSERT_TRUE(store);
  WriteBatch batch;
  batch.crossings = {crossing("cam1", 7, Dir::kIn, 10), crossing("cam1", 8, Dir::kOut, 20)};
  batch.crossings[1].class_id = 2;
  batch.snapshots = {{"cam1", 3, 5, 2, at_ms(30)}};
  batch.metrics = {{"cam1", 42, 12.5, 1, 0.001, 4, at_ms(40)}};
  ASSERT_TRUE(store->write(batch).ok());

  auto crossings = store->crossings({});
  ASSERT_TRUE(crossings.ok()) << crossings.error().message;
  EXPECT_EQ(crossings->rows, batch.crossings);
  auto snapshots = store->occupancy({});
  ASSERT_TRUE(snapshots.ok());
  EXPECT_EQ(snapshots->rows, batch.snapshots);
  auto metrics = store->metrics({});
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->rows, batch.metrics);
}

TEST_P(StoreTest, CrossingWithTheSameEventKeyIsStoredOnce) {
  auto store = open();
  ASSERT_TRUE(store);
  const WriteBatch batch{{crossing("cam1", 1, Dir::kIn, 0)}, {}, {}};
  ASSERT_TRUE(store->write(batch).ok());
  ASSERT_TRUE(store->write(batch).ok());
  EXPECT_EQ(count("line_crossings"), 1);
}

TEST_P(StoreTest, MetricsPagesAndFilters) {
  auto store = open();
  ASSERT_TRUE(store);
  WriteBatch batch;
  for (int i = 0; i < 10; ++i) batch.metrics.push_back(metric(i % 2 ? "b" : "a", i, i, i * 100));
  ASSERT_TRUE(store->write(batch).ok());

  struct Case {
    const char* name;
    Window window;
    int64_t total;
    std::vector<int64_t> frames;
  };
  const Case cases[] = {
      {"all", {}, 10, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
      {"first page", {"", kOpen, kOpen, 3, 0}, 10, {0, 1, 2}},
      {"second page", {"", kOpen, kOpen, 3, 3}, 10, {3, 4, 5}},
      {"past the end", {"", kOpen, kOpen, 3, 12}, 10, {}},
      {"camera", {"b"}, 5, {1, 3, 5, 7, 9}},
      {"from inclusive", {"", 700}, 3, {7, 8, 9}},
      {"to exclusive", {"", kOpen, 200}, 2, {0, 1}},
      {"camera and window", {"a", 200, 800}, 3, {2, 4, 6}},
      {"camera, window, page", {"a", 200, 800, 1, 1}, 3, {4}},
      {"unknown camera", {"zzz"}, 0, {}},
  };
  for (const auto& c : cases) {
    auto page = store->metrics(c.window.query());
    ASSERT_TRUE(page.ok()) << c.name << ": " << page.error().message;
    std::vector<int64_t> frames;
    for (const auto& row : page->rows) frames.push_back(row.frame_id);
    EXPECT_EQ(page->total, c.total) << c.name;
    EXPECT_EQ(frames, c.frames) << c.name;
  }
}

TEST_P(StoreTest, CrossingsAndSnapshotsFilterByCameraAndTime) {
  auto store = open();
  ASSERT_TRUE(store);
  WriteBatch batch;
  for (int i = 0; i < 6; ++i) {
    const std::string camera = i < 3 ? "gate" : "dock";
    batch.crossings.push_back(crossing(camera, i, Dir::kIn, i * 10));
    batch.snapshots.push_back({camera, i, i, 0, at_ms(i * 10)});
  }
  ASSERT_TRUE(store->write(batch).ok());
  const RangeQuery query{"gate", at_ms(10), at_ms(100), 1, 1};
  auto crossings = store->crossings(query);
  ASSERT_TRUE(crossings.ok());
  EXPECT_EQ(crossings->total, 2);
  ASSERT_EQ(crossings->rows.size(), 1u);
  EXPECT_EQ(crossings->rows[0].track_id, 2);
  auto snapshots = store->occupancy(query);
  ASSERT_TRUE(snapshots.ok());
  EXPECT_EQ(snapshots->total, 2);
  ASSERT_EQ(snapshots->rows.size(), 1u);
  EXPECT_EQ(snapshots->rows[0].current_occupancy, 2);
}

TEST_P(StoreTest, MetricsSummaryGivesCountMeanAndMedian) {
  auto store = open();
  ASSERT_TRUE(store);
  WriteBatch batch;
  const std::vector<double> processing_ms = {40, 10, 30, 20, 100};  // by time: 0..400 ms
  for (size_t i = 0; i < processing_ms.size(); ++i) {
    batch.metrics.push_back(
        metric("cam", static_cast<int64_t>(i), processing_ms[i], static_cast<long long>(i) * 100));
  }
  ASSERT_TRUE(store->write(batch).ok());
  struct Case {
    const char* name;
    Window window;
    MetricsSummary expected;
  };
  const Case cases[] = {
      {"odd count", {}, {5, 40, 30}},
      {"even count", {"cam", kOpen, 400, 1, 0}, {4, 25, 25}},
      {"empty window", {"cam", 1000}, {0, 0, 0}},
  };
  for (const auto& c : cases) {
    auto summary = store->metrics_summary(c.window.query());
    ASSERT_TRUE(summary.ok()) << c.name << ": " << summary.error().message;
    EXPECT_EQ(summary->count, c.expected.count) << c.name;
    EXPECT_DOUBLE_EQ(summary->mean_processing_ms, c.expected.mean_processing_ms) << c.name;
    EXPECT_DOUBLE_EQ(summary->median_processing_ms, c.expected.median_processing_ms) << c.name;
  }
}

TEST_P(StoreTest, CountersAreRestoredFromTheLedgerAfterReopening) {
  {
    auto store = open();
    ASSERT_TRUE(store);
    // Written out of time order on purpose: the replay sorts by time. At dock an exit comes
    // first (someone inside before counting started): occupancy stays at 0, not -1.
    const WriteBatch batch{{crossing("gate", 1, Dir::kIn, 10), crossing("gate", 3, Dir::kOut, 40),
                            crossing("gate", 2, Dir::kIn, 20), crossing("dock", 5, Dir::kOut, 5),
                            crossing("dock", 6, Dir::kIn, 50), crossing("dock", 7, Dir::kIn, 60)},
                           {},
                           {}};
    ASSERT_TRUE(store->write(batch).ok());
  }
  auto store = open();
  ASSERT_TRUE(store);
  auto counters = store->restore_counters();
  ASSERT_TRUE(counters.ok()) << counters.error().message;
  const std::vector<CameraCounters> expected = {{"dock", 2, 1, 2}, {"gate", 2, 1, 1}};
  EXPECT_EQ(*counters, expected);
}

TEST_P(StoreTest, RejectsMalformedUrlAndNegativePaging) {
  auto bad = open_store({"mysql://nope", std::chrono::milliseconds(100)});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  auto store = open();
  ASSERT_TRUE(store);
  auto page = store->metrics({"", {}, {}, -1, 0});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(StoreTest, UnreachableDatabaseIsUnavailable) {
  auto store = open_store({db_->unreachable_url(), std::chrono::milliseconds(100)});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable) << store.error().message;
}

TEST_P(StoreTest, WriteFailsAsUnavailableWhileTheDatabaseIsDownAndWorksAfter) {
  auto store = open();
  ASSERT_TRUE(store);
  const WriteBatch batch{{crossing("cam", 1, Dir::kIn, 0)}, {}, {}};
  db_->make_unavailable();
  Status down = store->write(batch);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kUnavailable) << down.error().message;
  db_->make_available();
  Status up = store->write(batch);
  EXPECT_TRUE(up.ok()) << up.error().message;
  EXPECT_EQ(count("line_crossings"), 1);
}

FAI_STORE_SUITE_FOR_THIS_BACKEND(StoreTest);

}  // namespace
}  // namespace fai::test
