// The vehicle API against a real `factoryai serve` on loopback, once per database (SQLite, and
// PostgreSQL when FAI_TEST_PG_URL names a server): list CRUD round trip, strict validation with
// clear 4xx errors, the visit log (filters, paging, CSV) over visits the server's store holds,
// what a start-up after kill -9 does with open visits and the visit spool, gate entries expiring
// while the server runs, and a gate line moved through the API moving where a vehicle's entry
// and exit are taken.

#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "scratch_server.h"
#include "subprocess.h"

namespace fai::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// Camera "gate" has the gate line "entry" (y = 300, crossing downwards is in). Tracker and
// occupancy settings for the vehicle scene below: NanoDet scores its pickup 0.45-0.58, a lost
// track ends after 3 frames, a crossing counts on the second frame past the line.
constexpr const char* kConfig = R"(server:
  host: 127.0.0.1
  static_dir: ""
store:
  spool_dir: "@SPOOL@"
tracker:
  high_score: 0.3
  low_score: 0.1
  new_track_score: 0.4
  lost_track_buffer_frames: 3
occupancy:
  min_frames_on_new_side: 2
cameras:
  list:
    - id: gate
      lines:
        - id: entry
          start: [0, 300]
          end: [1, 300]
          in_side: right
          infinite: true
anpr:
  max_edit_distance: 1
  gate_lines: [gate/entry]
)";

// The vehicle scene: the pickup of Debian darknet's dog.jpg (NanoDet finds it at
// (472,83)-(700,170)), cut out with a 10 px margin and pasted on flat grey with its box bottom
// (the gate's anchor) at a chosen height: `factoryai detect` finds it as a car or truck (one
// track: same class group), score 0.45-0.58, box bottom within 3 px of it from 200 to 600.
const char* kDogJpg = "/usr/share/darknet/data/dog.jpg";

std::string vehicle_png(int bottom_y) {
  static const cv::Mat photo = cv::imread(kDogJpg);
  const cv::Rect pickup(462, 73, 248, 107);
  constexpr int kBottomInCrop = 170 - 73;
  cv::Mat frame(640, 768, CV_8UC3, cv::Scalar(114, 114, 114));
  if (bottom_y > 0) {
    photo(pickup).copyTo(
        frame(cv::Rect(260, bottom_y - kBottomInCrop, pickup.width, pickup.height)));
  }
  std::vector<uchar> bytes;
  cv::imencode(".png", frame, bytes);
  return {bytes.begin(), bytes.end()};
}

// Frame i's client timestamp: one second apart.
std::string frame_time(int i) {
  char text[40];
  std::snprintf(text, sizeof text, "2026-01-31T09:%02d:%02d.000Z", i / 60, i % 60);
  return text;
}

struct Reply {
  int status = -1;
  json body;
  std::string text, content_type;
};

std::ostream& operator<<(std::ostream& os, const Reply& r) {
  return os << "HTTP " << r.status << " " << r.text;
}

class VehiclesApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!models_available()) {
      if (models_required()) FAIL() << "models/ missing";
      GTEST_SKIP() << "models/ missing (make models)";
    }
    static int counter = 0;
    const std::string unique = std::to_string(getpid()) + "_" + std::to_string(counter++);
    dir_ = fs::temp_directory_path() / ("fai_vehicles_" + unique);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = std::make_unique<ScratchDatabase>(GetParam(), dir_, "fai_vehicles_test_" + unique);
    if (db_->state() == ScratchDatabase::State::kFail) FAIL() << db_->problem();
    if (db_->state() == ScratchDatabase::State::kSkip) GTEST_SKIP() << db_->problem();
    db_url_ = db_->url();
    std::string config = kConfig;
    config.replace(config.find("@SPOOL@"), 7, (dir_ / "spool").string());
    std::ofstream(dir_ / "config.yaml") << config;
    ASSERT_NO_FATAL_FAILURE(start_server());
  }

  void TearDown() override {
    if (server_ && HasFailure()) std::cerr << "--- server log ---\n" << server_->log();
    if (server_) server_->stop(SIGTERM);
    server_.reset();
    db_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void start_server() {
    // A log per start: a restart must not read the port from the previous server's log.
    const std::string log = (dir_ / ("server" + std::to_string(starts_++) + ".log")).string();
    StartedServer started = start_serve((dir_ / "config.yaml").string(), db_url_, log);
    server_ = std::move(started.process);
    ASSERT_TRUE(started.port > 0) << started.error;
    port_ = started.port;
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30s);
    return c;
  }
  static Reply to_reply(const httplib::Result& res) {
    Reply r;
    if (!res) return r;
    r.status = res->status;
    r.text = res->body;
    r.content_type = res->get_header_value("Content-Type");
    r.body = json::parse(res->body, nullptr, false);
    return r;
  }
  Reply get(const std::string& path) const { return to_reply(client().Get(path.c_str())); }
  Reply post(const std::string& path, const json& body) const {
    return to_reply(client().Post(path.c_str(), body.dump(), "application/json"));
  }
  Reply put(const std::string& path, const json& body) const {
    return to_reply(client().Put(path.c_str(), body.dump(), "application/json"));
  }
  Reply del(const std::string& path) const { return to_reply(client().Delete(path.c_str())); }

  // A 4xx JSON error with this status and code.
  static void expect_error(const Reply& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r;
    EXPECT_EQ(r.body.value("success", true), false) << r;
    if (r.body.contains("error")) {
      EXPECT_EQ(r.body["error"].value("code", ""), code) << r;
      EXPECT_FALSE(r.body["error"].value("message", "").empty()) << r;
    }
  }

  // Visit rows written straight into the server's database, as the plate analyzer would.
  void insert_visit(const std::string& key, const std::string& camera, const std::string& plate,
                    const std::string& status, long long entry_ms, const std::string& exit,
                    int track = 3, const std::string& last_seen = "NULL") {
    exec_sql(
        "INSERT INTO vehicle_logs (visit_key, camera_id, track_id, plate_number, vehicle_type, "
        "entry_time, exit_time, ocr_confidence, status, matched_plate, event_time, last_seen) "
        "VALUES ('" +
        key + "', '" + camera + "', " + std::to_string(track) + ", '" + plate + "', 'car', " +
        std::to_string(entry_ms) + ", " + exit + ", 0.91, '" + status + "', NULL, " +
        std::to_string(entry_ms) + ", " + last_seen + ")");
  }

  void exec_sql(const std::string& sql) {
    if (GetParam() == Backend::kPostgres) {
      const RunResult r = psql(db_url_, sql);
      ASSERT_EQ(r.exit_code, 0) << r.err;
    } else {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open((dir_ / "factoryai.db").string().c_str(), &db), SQLITE_OK);
      sqlite3_busy_timeout(db, 5000);
      const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
      sqlite3_close(db);
      ASSERT_EQ(rc, SQLITE_OK) << sql;
    }
  }

  // The visit log's items by track id (each test visit has its own).
  std::map<int64_t, json> visits_by_track() {
    const Reply r = get("/api/vehicle-logs?limit=1000");
    EXPECT_EQ(r.status, 200) << r;
    std::map<int64_t, json> out;
    for (const json& item : r.body.value("items", json::array())) {
      const auto track = item["track_id"].get<int64_t>();
      EXPECT_EQ(out.count(track), 0u) << "two rows of track " << track;
      out[track] = item;
    }
    return out;
  }

  fs::path dir_;
  std::string db_url_;
  std::unique_ptr<ScratchDatabase> db_;
  std::unique_ptr<BackgroundProcess> server_;
  int port_ = 0;
  int starts_ = 0;
};

TEST_P(VehiclesApiTest, ListCrudRoundTrip) {
  Reply r = post("/api/vehicles", {{"plate_number", "ka-01 ab 1234"},
                                   {"list", "whitelist"},
                                   {"vehicle_type", "truck"},
                                   {"owner", "Acme Logistics"},
                                   {"note", "night deliveries"},
                                   {"valid_from", "2026-01-01T00:00:00Z"},
                                   {"valid_until", "2099-12-31T23:59:59Z"}});
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_EQ(r.body["vehicle"]["plate_number"], "KA01AB1234");  // normalised
  EXPECT_EQ(r.body["vehicle"]["active"], true);
  ASSERT_EQ(post("/api/vehicles", {{"plate_number", "MH12DE1433"}, {"list", "blacklist"}}).status,
            201);

  r = get("/api/vehicles");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body["total"], 2);
  ASSERT_EQ(r.body["items"].size(), 2u);
  const json& first = r.body["items"][0];
  EXPECT_EQ(first["plate_number"], "KA01AB1234");
  EXPECT_EQ(first["list"], "whitelist");
  EXPECT_EQ(first["vehicle_type"], "truck");
  EXPECT_EQ(first["owner"], "Acme Logistics");
  EXPECT_EQ(first["note"], "night deliveries");
  EXPECT_EQ(first["valid_from"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(first["valid_until"], "2099-12-31T23:59:59.000Z");
  EXPECT_EQ(r.body["items"][1]["valid_from"], nullptr);

  r = get("/api/vehicles?list=blacklist");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.body["items"].size(), 1u);
  EXPECT_EQ(r.body["items"][0]["plate_number"], "MH12DE1433");
  r = get("/api/vehicles?q=acme");
  ASSERT_EQ(r.body["items"].size(), 1u);

  r = put("/api/vehicles/KA01AB1234",
          {{"list", "blacklist"}, {"note", "stolen"}, {"valid_until", nullptr}});
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body["vehicle"]["list"], "blacklist");
  EXPECT_EQ(r.body["vehicle"]["owner"], "Acme Logistics");  // untouched fields stay
  r = get("/api/vehicles/ka01ab1234");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body["vehicle"]["note"], "stolen");
  EXPECT_EQ(r.body["vehicle"]["valid_until"], nullptr);

  r = del("/api/vehicles/KA01AB1234");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body["success"], true);
  expect_error(get("/api/vehicles/KA01AB1234"), 404, "not_found");
  EXPECT_EQ(get("/api/vehicles").body["total"], 1);
}

TEST_P(VehiclesApiTest, BadInputGetsClear4xxErrors) {
  ASSERT_EQ(post("/api/vehicles", {{"plate_number", "AB123"}, {"list", "whitelist"}}).status, 201);
  expect_error(post("/api/vehicles", {{"plate_number", "ab-123"}, {"list", "blacklist"}}), 409,
               "conflict");
  expect_error(post("/api/vehicles", {{"plate_number", "AB#123"}, {"list", "whitelist"}}), 400,
               "invalid_argument");
  expect_error(post("/api/vehicles", {{"plate_number", "A"}, {"list", "whitelist"}}), 400,
               "invalid_argument");
  expect_error(post("/api/vehicles", {{"plate_number", "ABCDEFGHIJK12"}, {"list", "whitelist"}}),
               400, "invalid_argument");
  expect_error(post("/api/vehicles", {{"plate_number", "XY999"}}), 400, "invalid_argument");
  expect_error(post("/api/vehicles", {{"plate_number", "XY999"}, {"list", "greylist"}}), 400,
               "invalid_argument");
  expect_error(post("/api/vehicles", {{"list", "whitelist"}}), 400, "invalid_argument");
  expect_error(post("/api/vehicles", {{"plate_number", 12345}, {"list", "whitelist"}}), 400,
               "invalid_argument");
  expect_error(
      post("/api/vehicles",
           {{"plate_number", "XY999"}, {"list", "whitelist"}, {"valid_from", "yesterday"}}),
      400, "invalid_argument");
  expect_error(post("/api/vehicles", {{"plate_number", "XY999"},
                                      {"list", "whitelist"},
                                      {"valid_from", "2026-02-01T00:00:00Z"},
                                      {"valid_until", "2026-01-01T00:00:00Z"}}),
               400, "invalid_argument");
  expect_error(
      post("/api/vehicles",
           {{"plate_number", "XY999"}, {"list", "whitelist"}, {"vehicle_type", "spaceship"}}),
      400, "invalid_argument");
  expect_error(
      post("/api/vehicles", {{"plate_number", "XY999"}, {"list", "whitelist"}, {"colour", "red"}}),
      400, "invalid_argument");
  expect_error(to_reply(client().Post("/api/vehicles", "{not json", "application/json")), 400,
               "invalid_argument");
  expect_error(get("/api/vehicles/NOPE99"), 404, "not_found");
  expect_error(put("/api/vehicles/NOPE99", {{"note", "x"}}), 404, "not_found");
  expect_error(del("/api/vehicles/NOPE99"), 404, "not_found");
  expect_error(get("/api/vehicles/A%23B"), 400, "invalid_argument");
  expect_error(put("/api/vehicles/AB123", {{"plate_number", "CD456"}}), 400, "invalid_argument");
  expect_error(put("/api/vehicles/AB123", {{"valid_from", "2026-02-01T00:00:00Z"},
                                           {"valid_until", "2026-01-01T00:00:00Z"}}),
               400, "invalid_argument");
  expect_error(get("/api/vehicles?list=purple"), 400, "invalid_argument");
  expect_error(get("/api/vehicles?limit=0"), 400, "invalid_argument");
  expect_error(get("/api/vehicle-logs?status=maybe"), 400, "invalid_argument");
  expect_error(get("/api/vehicle-logs?from=notatime"), 400, "invalid_argument");
  expect_error(get("/api/vehicle-logs?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"), 400,
               "invalid_argument");
  expect_error(get("/api/vehicle-logs?plate=%25%25"), 400, "invalid_argument");
  expect_error(get("/api/vehicle-logs?limit=5000"), 400, "invalid_argument");
  // The entry is untouched by the refused edits and the server is still up.
  const Reply r = get("/api/vehicles/AB123");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body["vehicle"]["valid_from"], nullptr);
  EXPECT_EQ(get("/api/health").status, 200);
}

TEST_P(VehiclesApiTest, VisitLogFiltersPagesAndExportsCsv) {
  const long long t0 = 1769846400000;  // 2026-01-31T08:00:00Z
  ASSERT_NO_FATAL_FAILURE(insert_visit("a", "gate", "KA01AB1234", "whitelisted", t0, "NULL"));
  ASSERT_NO_FATAL_FAILURE(insert_visit("b", "gate", "MH12DE1433", "blacklisted", t0 + 60000,
                                       std::to_string(t0 + 90000)));
  ASSERT_NO_FATAL_FAILURE(insert_visit("c", "yard", "", "unread", t0 + 120000, "NULL"));

  Reply r = get("/api/vehicle-logs");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body["total"], 3);
  ASSERT_EQ(r.body["items"].size(), 3u);
  const json& a = r.body["items"][0];
  EXPECT_EQ(a["camera_id"], "gate");
  EXPECT_EQ(a["plate_number"], "KA01AB1234");
  EXPECT_EQ(a["entry_time"], "2026-01-31T08:00:00.000Z");
  EXPECT_EQ(a["exit_time"], nullptr);
  EXPECT_EQ(a["status"], "whitelisted");
  EXPECT_EQ(a["vehicle_type"], "car");
  EXPECT_EQ(a["track_id"], 3);
  EXPECT_NEAR(a["ocr_confidence"].get<double>(), 0.91, 1e-6);
  EXPECT_EQ(r.body["items"][1]["exit_time"], "2026-01-31T08:01:30.000Z");
  EXPECT_EQ(r.body["items"][2]["plate_number"], nullptr);

  r = get("/api/vehicle-logs?plate=mh-12-de-1433");
  EXPECT_EQ(r.body["total"], 1);
  r = get("/api/vehicle-logs?status=unread");
  EXPECT_EQ(r.body["total"], 1);
  r = get("/api/vehicle-logs?camera_id=gate");
  EXPECT_EQ(r.body["total"], 2);
  r = get("/api/vehicle-logs?from=2026-01-31T08:00:30Z&to=2026-01-31T08:05:00Z");
  EXPECT_EQ(r.body["total"], 2);
  r = get("/api/vehicle-logs?limit=1&offset=1");
  EXPECT_EQ(r.body["total"], 3);
  ASSERT_EQ(r.body["items"].size(), 1u);
  EXPECT_EQ(r.body["items"][0]["plate_number"], "MH12DE1433");
  EXPECT_EQ(r.body["limit"], 1);
  EXPECT_EQ(r.body["offset"], 1);

  r = get("/api/vehicle-logs?format=csv&camera_id=gate");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_NE(r.content_type.find("text/csv"), std::string::npos) << r.content_type;
  EXPECT_EQ(r.text,
            "id,camera_id,track_id,plate_number,vehicle_type,entry_time,exit_time,ocr_confidence,"
            "status,matched_plate\r\n"
            "1,gate,3,KA01AB1234,car,2026-01-31T08:00:00.000Z,,0.910,whitelisted,\r\n"
            "2,gate,3,MH12DE1433,car,2026-01-31T08:01:00.000Z,2026-01-31T08:01:30.000Z,0.910,"
            "blacklisted,\r\n");
}

// kill -9 with visits open, and a visit write the database had refused still in the spool. The
// next start writes the spooled visit once; closes a first/last-seen visit whose track was in
// view at its last sighting, and one written before sightings were stored with no exit; keeps
// the car that entered at a gate open (it is inside); expires a gate entry older than
// anpr.max_visit_hours. A second kill -9 and start changes nothing.
TEST_P(VehiclesApiTest, VisitsLeftOpenByACrashAreClosedAndSpooledVisitsReplayedOnce) {
  const Reply diag = get("/api/diagnostic");
  ASSERT_EQ(diag.body["anpr"].value("enabled", false), true) << "plate reading is off: " << diag;
  server_->stop(SIGKILL);

  const long long t0 = 1769846400000;  // 2026-01-31T08:00:00Z
  const long long now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const long long hour = 3600000;
  const std::string ms = std::to_string(t0);
  ASSERT_NO_FATAL_FAILURE(insert_visit("yard/1/seen/" + ms, "yard", "KA01AB1234", "unknown", t0,
                                       "NULL", 1, std::to_string(t0 + 42000)));
  ASSERT_NO_FATAL_FAILURE(
      insert_visit("yard/2/seen/" + ms, "yard", "", "unread", t0, "NULL", 2, "NULL"));
  ASSERT_NO_FATAL_FAILURE(insert_visit("gate/3/in/" + std::to_string(now - hour), "gate",
                                       "MH12DE1433", "unknown", now - hour, "NULL", 3));
  ASSERT_NO_FATAL_FAILURE(insert_visit("gate/4/in/" + std::to_string(now - 48 * hour), "gate",
                                       "DL3CAB9876", "unknown", now - 48 * hour, "NULL", 4));
  const json spooled = {{"visit_key", "yard/5/seen/" + ms},
                        {"camera_id", "yard"},
                        {"track_id", 5},
                        {"plate_number", "TN22CZ4567"},
                        {"vehicle_type", "truck"},
                        {"entry_ms", t0 + 1000},
                        {"exit_ms", t0 + 9000},
                        {"ocr_confidence", 0.8},
                        {"status", "unknown"},
                        {"matched_plate", ""},
                        {"last_seen_ms", t0 + 9000},
                        {"closed_reason", ""}};
  const fs::path spool = dir_ / "spool" / "visits.spool";
  {
    std::ofstream out(spool, std::ios::trunc);
    out << spooled.dump() << "\n" << spooled.dump().substr(0, 40);  // and a torn last line
  }
  ASSERT_NO_FATAL_FAILURE(start_server());

  for (int restart = 0; restart < 2; ++restart) {
    SCOPED_TRACE("start " + std::to_string(restart + 1));
    EXPECT_EQ(fs::file_size(spool), 0u);
    auto rows = visits_by_track();
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(rows[1]["exit_time"], "2026-01-31T08:00:42.000Z");
    EXPECT_EQ(rows[1]["closed_reason"], "restart");
    EXPECT_EQ(rows[2]["exit_time"], nullptr);
    EXPECT_EQ(rows[2]["closed_reason"], "restart");
    EXPECT_EQ(rows[3]["exit_time"], nullptr);
    EXPECT_EQ(rows[3]["closed_reason"], nullptr);
    EXPECT_EQ(rows[4]["exit_time"], nullptr);
    EXPECT_EQ(rows[4]["closed_reason"], "expired");
    EXPECT_EQ(rows[5]["plate_number"], "TN22CZ4567");
    EXPECT_EQ(rows[5]["entry_time"], "2026-01-31T08:00:01.000Z");
    EXPECT_EQ(rows[5]["exit_time"], "2026-01-31T08:00:09.000Z");
    EXPECT_EQ(rows[5]["closed_reason"], nullptr);
    EXPECT_EQ(get("/api/diagnostic").body["anpr"]["visits_closed_at_start"], restart == 0 ? 3 : 0);
    server_->stop(SIGKILL);
    ASSERT_NO_FATAL_FAILURE(start_server());
  }
}

// A gate entry whose exit was missed expires while the server runs: the first frame (of any
// camera) sweeps, and closes an entry of a camera that sends none, 48 h old, as "expired" with
// no exit; an hour-old entry stays open.
TEST_P(VehiclesApiTest, AStaleGateEntryExpiresWhileTheServerRuns) {
  const Reply diag = get("/api/diagnostic");
  ASSERT_EQ(diag.body["anpr"].value("enabled", false), true) << "plate reading is off: " << diag;
  const long long now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const long long hour = 3600000;
  ASSERT_NO_FATAL_FAILURE(insert_visit("dock/3/in/" + std::to_string(now - hour), "dock",
                                       "MH12DE1433", "unknown", now - hour, "NULL", 3));
  ASSERT_NO_FATAL_FAILURE(insert_visit("dock/4/in/" + std::to_string(now - 48 * hour), "dock",
                                       "DL3CAB9876", "unknown", now - 48 * hour, "NULL", 4));
  const Reply frame = to_reply(client().Post("/api/process?camera_id=gate", vehicle_png(0),
                                             "image/png"));  // stamped on arrival
  ASSERT_EQ(frame.status, 200) << frame;
  auto rows = visits_by_track();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[3]["closed_reason"], nullptr);
  EXPECT_EQ(rows[4]["closed_reason"], "expired");
  EXPECT_EQ(rows[4]["exit_time"], nullptr);
  EXPECT_EQ(get("/api/diagnostic").body["anpr"]["visits_expired"], 1);
}

// Box bottoms from `from` to `to` (both included) 10 px a frame, skipping the lines (y = 300
// and 500): the tracker keeps one track through the turn (the box is ~90 px high), and detection
// jitter (3 px) never puts the anchor on the wrong side.
std::vector<int> drive_from(int from, int to) {
  std::vector<int> out;
  const int step = to > from ? 10 : -10;
  for (int y = from; step > 0 ? y <= to : y >= to; y += step) {
    if (y != 300 && y != 500) out.push_back(y);
  }
  return out;
}

// The frame of `path`, from `from` on, that is the second in a row below (or above) y = 500:
// where a crossing of the moved line counts (occupancy.min_frames_on_new_side: 2).
int second_frame_past_500(const std::vector<int>& path, size_t from, bool below) {
  int in_a_row = 0;
  for (size_t i = from; i < path.size(); ++i) {
    in_a_row = (below ? path[i] > 500 : path[i] < 500) ? in_a_row + 1 : 0;
    if (in_a_row == 2) return static_cast<int>(i);
  }
  return -1;
}

// The gate line is moved through the API (PUT /api/cameras/gate/lines) from y = 300 to y = 500
// before a vehicle drives down across both and back up across both: no visit opens where the
// line was, the entry is the frame that crossed the new line (the second frame past it), the
// exit the frame that crossed it back, both in the visit log.
TEST_P(VehiclesApiTest, AGateLineMovedThroughTheApiMovesWhereVisitsOpenAndClose) {
  if (!fs::exists(kDogJpg)) GTEST_SKIP() << kDogJpg << " missing (apt install darknet)";
  const Reply diag = get("/api/diagnostic");
  ASSERT_EQ(diag.body["anpr"].value("enabled", false), true) << "plate reading is off: " << diag;
  const json moved = {{"id", "entry"},      {"x1", 0},         {"y1", 500}, {"x2", 1}, {"y2", 500},
                      {"in_side", "right"}, {"infinite", true}};
  const Reply put_lines = put("/api/cameras/gate/lines", {{"lines", {moved}}});
  ASSERT_EQ(put_lines.status, 200) << put_lines;

  std::vector<int> path = drive_from(210, 570);
  const std::vector<int> back = drive_from(560, 290);
  path.insert(path.end(), back.begin(), back.end());
  const int entry = second_frame_past_500(path, 0, true);
  const int exit = second_frame_past_500(path, static_cast<size_t>(entry), false);
  ASSERT_TRUE(entry > 0 && exit > entry);
  path.insert(path.end(), 5, 0);  // out of sight until the track ends

  size_t frame = 0;
  std::set<int64_t> tracks;
  // Drives on until the box bottom is `until` (-1: to the end).
  auto drive_until = [&](int until) {
    while (frame < path.size()) {
      const int y = path[frame];
      const std::string path_and_query =
          "/api/process?camera_id=gate&timestamp=" + frame_time(static_cast<int>(frame++));
      const Reply r = to_reply(client().Post(path_and_query.c_str(), vehicle_png(y), "image/png"));
      ASSERT_EQ(r.status, 200) << r;
      const json vehicles = r.body.value("vehicles_detected", json::array());
      ASSERT_EQ(vehicles.size(), y > 0 ? 1u : 0u) << "bottom " << y << ": " << r;
      if (y > 0) tracks.insert(vehicles[0]["track_id"].get<int64_t>());
      if (y == until) return;
    }
  };
  auto visits = [&] {
    const Reply r = get("/api/vehicle-logs?camera_id=gate");
    EXPECT_EQ(r.status, 200) << r;
    return r.body.value("items", json::array());
  };
  // Down across y = 300, where the line was, stopping above the new line: no visit.
  ASSERT_NO_FATAL_FAILURE(drive_until(490));
  EXPECT_TRUE(visits().empty()) << "a crossing where the line was opened a visit: " << visits();
  // Down across y = 500: the entry.
  ASSERT_NO_FATAL_FAILURE(drive_until(570));
  json items = visits();
  ASSERT_EQ(items.size(), 1u) << items;
  EXPECT_EQ(items[0]["entry_time"], frame_time(entry));
  EXPECT_EQ(items[0]["exit_time"], nullptr);
  // Back up across y = 500 (the exit) and y = 300, and out of sight.
  ASSERT_NO_FATAL_FAILURE(drive_until(-1));
  EXPECT_EQ(tracks.size(), 1u) << "one vehicle, seen in every frame, is one track";
  items = visits();
  ASSERT_EQ(items.size(), 1u) << items;
  EXPECT_EQ(items[0]["entry_time"], frame_time(entry));
  EXPECT_EQ(items[0]["exit_time"], frame_time(exit));
  EXPECT_EQ(items[0]["closed_reason"], nullptr);
  EXPECT_EQ(items[0]["track_id"], *tracks.begin());
  EXPECT_TRUE(items[0]["vehicle_type"] == "car" || items[0]["vehicle_type"] == "truck") << items[0];
}

std::string db_name(const ::testing::TestParamInfo<Backend>& param) {
  return backend_name(param.param);
}

INSTANTIATE_TEST_SUITE_P(Db, VehiclesApiTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), db_name);

}  // namespace
}  // namespace fai::test
