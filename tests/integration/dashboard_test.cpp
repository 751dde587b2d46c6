// The dashboard's server side against a real `factoryai serve` on loopback, once per database:
// the live stream (Server-Sent Events), the cameras and their counting lines (saved, used at
// once, kept over a restart), the annotated snapshot and the single-page-app fallback.
//
// The frames are server_test.cpp's scene: darknet's person.jpg pasted on grey with the feet at a
// chosen height (NanoDet scores the person 0.61-0.69 at every height from 290 to 630).

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "scratch_server.h"
#include "subprocess.h"

namespace fai::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

const char* kPersonJpg = "/usr/share/darknet/data/person.jpg";

std::string scene_jpeg(int feet_y) {
  static const cv::Mat photo = cv::imread(kPersonJpg);
  const cv::Rect person(180, 92, 104, 288);
  cv::Mat frame(640, 640, CV_8UC3, cv::Scalar(114, 114, 114));
  photo(person).copyTo(frame(cv::Rect(268, feet_y - 280, person.width, person.height)));
  std::vector<uchar> bytes;
  cv::imencode(".jpg", frame, bytes);
  return {bytes.begin(), bytes.end()};
}

// Cameras locked (an unknown one is a 404); the default camera keeps the seed's line (y = 400,
// down = entry), side-door has its own from the config.
constexpr const char* kConfig = R"(server:
  host: 127.0.0.1
  static_dir: "@STATIC@"
  http_threads: 8
store:
  spool_dir: "@SPOOL@"
pipeline:
  workers: 1
tracker:
  high_score: 0.4
  low_score: 0.1
  new_track_score: 0.45
occupancy:
  min_frames_on_new_side: 2
cameras:
  locked: true
  default_id: default
  list:
    - id: default
    - id: side-door
      lines:
        - id: door
          start: [100, 300]
          end: [540, 300]
          in_side: left
)";

struct Reply {
  int status = -1;
  json body;
  std::string raw;
  std::string content_type;
};

// An EventSource stand-in: reads GET /api/stream on a thread of its own and keeps what arrived.
class StreamReader {
 public:
  explicit StreamReader(int port) : client_("127.0.0.1", port) {
    client_.set_read_timeout(60s);
    thread_ = std::thread([this] {
      auto res = client_.Get(
          "/api/stream", {{"Accept", "text/event-stream"}, {"Accept-Encoding", "gzip, deflate"}},
          [this](const httplib::Response& r) {
            std::lock_guard lock(mutex_);
            status_ = r.status;
            headers_ = r.headers;
            return true;
          },
          [this](const char* data, size_t size) {
            std::lock_guard lock(mutex_);
            text_.append(data, size);
            return !stop_;
          });
      std::lock_guard lock(mutex_);
      ended_ = true;
    });
  }
  ~StreamReader() {
    stop_ = true;
    client_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }
  bool ended() const {
    std::lock_guard lock(mutex_);
    return ended_;
  }
  std::string header(const std::string& name) const {
    std::lock_guard lock(mutex_);
    auto it = headers_.find(name);
    return it == headers_.end() ? "" : it->second;
  }
  int status() const {
    std::lock_guard lock(mutex_);
    return status_;
  }

  // The data of every complete `event: type` so far.
  std::vector<json> events(const std::string& type) const {
    std::vector<json> out;
    const std::string all = text();
    const std::regex event("event: (\\w+)\ndata: (.*)\n\n");
    for (auto it = std::sregex_iterator(all.begin(), all.end(), event);
         it != std::sregex_iterator(); ++it) {
      if ((*it)[1] == type) out.push_back(json::parse((*it)[2].str()));
    }
    return out;
  }

 private:
  httplib::Client client_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::string text_;
  httplib::Headers headers_;
  int status_ = 0;
  bool ended_ = false;
  std::atomic<bool> stop_{false};
};

class DashboardTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!models_available() || !fs::exists(kPersonJpg)) {
      if (models_required()) FAIL() << "models/ or " << kPersonJpg << " missing";
      GTEST_SKIP() << "models/ (make models) or " << kPersonJpg << " (darknet package) missing";
    }
    static int counter = 0;
    const std::string unique = std::to_string(getpid()) + "_" + std::to_string(counter++);
    dir_ = fs::temp_directory_path() / ("fai_dashboard_" + unique);
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "static");
    std::ofstream(dir_ / "static" / "index.html") << "<!doctype html><app-root></app-root>";
    db_ = std::make_unique<ScratchDatabase>(GetParam(), dir_, "fai_dashboard_test_" + unique);
    if (db_->state() == ScratchDatabase::State::kFail) FAIL() << db_->problem();
    if (db_->state() == ScratchDatabase::State::kSkip) GTEST_SKIP() << db_->problem();
    db_url_ = db_->url();
    std::string config = kConfig;
    config.replace(config.find("@STATIC@"), 8, (dir_ / "static").string());
    config.replace(config.find("@SPOOL@"), 7, (dir_ / "spool").string());
    std::ofstream(dir_ / "config.yaml") << config;
  }

  void TearDown() override {
    if (process_ && HasFailure()) std::cerr << "--- server log ---\n" << process_->log();
    process_.reset();
    db_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void start_server() {
    const std::string log = (dir_ / ("server" + std::to_string(starts_++) + ".log")).string();
    StartedServer started = start_serve((dir_ / "config.yaml").string(), db_url_, log);
    process_ = std::move(started.process);
    ASSERT_TRUE(started.port > 0) << started.error;
    port_ = started.port;
    ASSERT_TRUE(wait_until([&] { return get("/api/health").status == 200; }, 30s));
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30s);
    return c;
  }
  static Reply reply(const httplib::Result& res) {
    Reply r;
    if (!res) return r;
    r.status = res->status;
    r.raw = res->body;
    r.content_type = res->get_header_value("Content-Type");
    r.body = json::parse(res->body, nullptr, false);
    return r;
  }
  Reply get(const std::string& path) const { return reply(client().Get(path.c_str())); }
  Reply put(const std::string& path, const json& body) const {
    return reply(client().Put(path.c_str(), body.dump(), "application/json"));
  }
  Reply frame(int feet_y, const std::string& camera = "default") const {
    return reply(client().Post(("/api/process?camera_id=" + camera).c_str(), scene_jpeg(feet_y),
                               "image/jpeg"));
  }
  json walk(const std::vector<int>& feet, const std::string& camera = "default") const {
    json last;
    for (int y : feet) {
      const Reply r = frame(y, camera);
      EXPECT_EQ(r.status, 200) << r.raw;
      last = r.body;
    }
    return last;
  }
  json camera(const std::string& id) const {
    const Reply r = get("/api/cameras");
    EXPECT_EQ(r.status, 200) << r.raw;
    for (const json& c : r.body["items"]) {
      if (c["camera_id"] == id) return c;
    }
    ADD_FAILURE() << "no camera " << id << " in " << r.raw;
    return {};
  }

  fs::path dir_;
  std::string db_url_;
  std::unique_ptr<ScratchDatabase> db_;
  std::unique_ptr<BackgroundProcess> process_;
  int port_ = 0;
  int starts_ = 0;
};

TEST_P(DashboardTest, TheStreamPushesFrameAndCrossingEventsAsFramesArrive) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  StreamReader stream(port_);
  ASSERT_TRUE(wait_until([&] { return stream.text().find(": connected") != std::string::npos; }))
      << stream.text();
  EXPECT_EQ(stream.status(), 200);
  EXPECT_EQ(stream.header("Content-Type").rfind("text/event-stream", 0), 0u);
  EXPECT_EQ(stream.header("Cache-Control"), "no-cache");
  EXPECT_EQ(stream.header("X-Accel-Buffering"), "no");
  EXPECT_EQ(stream.header("Content-Encoding"), "") << "events must never wait in a compressor";

  const Reply first = frame(310);
  ASSERT_EQ(first.status, 200) << first.raw;
  ASSERT_TRUE(wait_until([&] { return !stream.events("frame").empty(); })) << stream.text();
  const json event = stream.events("frame").front();
  EXPECT_EQ(event["camera_id"], "default");
  EXPECT_EQ(event["frame_id"], first.body["frame_id"]);
  EXPECT_EQ(event["timestamp"], first.body["timestamp"]);
  EXPECT_EQ(event["people_count"], 1);
  EXPECT_EQ(event["occupancy"], 0);

  // Down across the seed's line: one crossing event, and a frame event with the new counts.
  const json last = walk({340, 370, 430, 460, 490});
  ASSERT_EQ(last["entries"], 1) << last;
  ASSERT_TRUE(wait_until([&] { return !stream.events("crossing").empty(); })) << stream.text();
  const json crossing = stream.events("crossing").front();
  EXPECT_EQ(crossing["camera_id"], "default");
  EXPECT_EQ(crossing["line_id"], "default");
  EXPECT_EQ(crossing["direction"], "in");
  EXPECT_EQ(crossing["class"], "person");
  EXPECT_TRUE(crossing["track_id"].is_number_integer());
  ASSERT_TRUE(wait_until([&] {
    const auto frames = stream.events("frame");
    return std::any_of(frames.begin(), frames.end(),
                       [](const json& f) { return f["entries"] == 1; });
  })) << stream.text();
}

TEST_P(DashboardTest, SigtermStopsTheServerPromptlyWithAStreamOpen) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  StreamReader stream(port_);
  ASSERT_TRUE(wait_until([&] { return stream.text().find(": connected") != std::string::npos; }));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(process_->stop(SIGTERM, 10s), 0) << process_->log();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_TRUE(wait_until([&] { return stream.ended(); }, 5s));
}

TEST_P(DashboardTest, CamerasListTheirLinesCountsAndSnapshots) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  json door = camera("side-door");
  EXPECT_EQ(door["lines"], (json{{{"id", "door"},
                                  {"x1", 100.0},
                                  {"y1", 300.0},
                                  {"x2", 540.0},
                                  {"y2", 300.0},
                                  {"in_side", "left"},
                                  {"infinite", false}}}));
  EXPECT_EQ(door["has_snapshot"], false);
  const Reply none = get("/api/cameras/side-door/snapshot");
  EXPECT_EQ(none.status, 404) << none.raw;
  EXPECT_EQ(none.body["success"], false);
  EXPECT_EQ(get("/api/cameras/nowhere/snapshot").status, 404);

  ASSERT_EQ(frame(460, "side-door").status, 200);
  door = camera("side-door");
  EXPECT_EQ(door["has_snapshot"], true);
  EXPECT_EQ(door["width"], 640);
  EXPECT_EQ(door["height"], 640);
  EXPECT_EQ(door["occupancy"], 0);
  const Reply snapshot = get("/api/cameras/side-door/snapshot");
  ASSERT_EQ(snapshot.status, 200);
  EXPECT_EQ(snapshot.content_type, "image/jpeg");
  const cv::Mat image =
      cv::imdecode(std::vector<uchar>(snapshot.raw.begin(), snapshot.raw.end()), cv::IMREAD_COLOR);
  ASSERT_FALSE(image.empty());
  EXPECT_EQ(image.cols, 640);
  EXPECT_EQ(image.rows, 640);
  // The line y = 300 from x = 100 to 540 is drawn (magenta); the grey left of it is not.
  // The most red within 3 rows of y = 300 (JPEG smears a 2 px stroke).
  auto red_near_300 = [&](int x) {
    int most = 0;
    for (int y = 297; y <= 303; ++y) most = std::max<int>(most, image.at<cv::Vec3b>(y, x)[2]);
    return most;
  };
  EXPECT_GT(red_near_300(150), 180) << "the line";
  EXPECT_LT(red_near_300(40), 134) << "grey (114) beside it";
}

TEST_P(DashboardTest, BadLinesAreRefusedWithEveryProblemAndChangeNothing) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  const json before = camera("default")["lines"];
  const Reply bad =
      put("/api/cameras/default/lines",
          {{"lines",
            {{{"id", "a"}, {"x1", 0}, {"y1", 0}, {"x2", 0}, {"y2", 0}},
             {{"id", "a"}, {"x1", 0}, {"y1", 0}, {"x2", 5}, {"y2", 5}, {"in_side", "up"}}}}});
  ASSERT_EQ(bad.status, 400) << bad.raw;
  EXPECT_EQ(bad.body["success"], false);
  const std::string message = bad.body["error"]["message"];
  EXPECT_NE(message.find("the two points must differ"), std::string::npos) << message;
  EXPECT_NE(message.find("duplicate"), std::string::npos) << message;
  EXPECT_NE(message.find("in_side"), std::string::npos) << message;
  EXPECT_EQ(put("/api/cameras/default/lines", {{"lines", json::array()}}).status, 400);
  const Reply not_json = reply(client().Put("/api/cameras/default/lines", "{", "application/json"));
  EXPECT_EQ(not_json.status, 400) << not_json.raw;
  const Reply unknown =
      put("/api/cameras/nowhere/lines",
          {{"lines", {{{"id", "a"}, {"x1", 0}, {"y1", 0}, {"x2", 9}, {"y2", 0}}}}});
  EXPECT_EQ(unknown.status, 404) << unknown.raw;
  EXPECT_EQ(camera("default")["lines"], before);
  EXPECT_EQ(get("/api/health").status, 200);
}

// The line moves from y = 400 to y = 520: a walk between the two (430 -> 610) counts only
// because of the new line, at once, and the line and counts survive a restart.
TEST_P(DashboardTest, AMovedLineChangesCountingAtOnceAndIsKeptOverARestart) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  json counts = walk({310, 340, 370, 430, 460});  // an entry across the seed's line
  ASSERT_EQ(counts["entries"], 1) << counts;
  counts = walk({490, 520 - 60, 490});  // below 400 all along: nothing new
  ASSERT_EQ(counts["entries"], 1) << counts;

  const json lines = {{{"id", "dock"},
                       {"x1", 40},
                       {"y1", 520},
                       {"x2", 600},
                       {"y2", 520},
                       {"in_side", "right"},
                       {"infinite", false}}};
  const Reply saved = put("/api/cameras/default/lines", {{"lines", lines}});
  ASSERT_EQ(saved.status, 200) << saved.raw;
  EXPECT_EQ(saved.body["success"], true);
  EXPECT_EQ(saved.body["lines"][0]["id"], "dock");
  EXPECT_EQ(camera("default")["lines"][0]["y1"], 520.0);

  walk({490, 550});  // down across y = 520: the 2nd frame below counts
  counts = frame(580).body;
  EXPECT_EQ(counts["entries"], 2) << "the new line counts at once: " << counts;
  EXPECT_EQ(counts["exits"], 0);
  EXPECT_EQ(counts["occupancy"], 2) << "counts were kept when the line changed";
  ASSERT_EQ(counts["crossings"].size(), 1u) << counts;
  EXPECT_EQ(counts["crossings"][0]["line_id"], "dock");
  EXPECT_EQ(process_->stop(SIGTERM), 0);

  ASSERT_NO_FATAL_FAILURE(start_server());
  const json after = camera("default");
  EXPECT_EQ(after["lines"], saved.body["lines"]) << "saved lines override the config's";
  EXPECT_EQ(after["entries"], 2);
  counts = walk({610, 580, 550, 490, 460});  // back up across the saved line: an exit
  EXPECT_EQ(counts["exits"], 1) << counts;
  EXPECT_EQ(counts["occupancy"], 1);
}

TEST_P(DashboardTest, PageRoutesAnswerTheAppWhileApiAndAssetMissesStay404) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  for (const char* path : {"/", "/cameras", "/employees/E7"}) {
    const Reply r = get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_NE(r.raw.find("<app-root>"), std::string::npos) << path;
  }
  const Reply api = get("/api/nothing-here");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.body["success"], false);
  EXPECT_EQ(get("/api").status, 404);
  EXPECT_EQ(get("/missing-chunk.js").status, 404);
}

INSTANTIATE_TEST_SUITE_P(Databases, DashboardTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& param_info) { return backend_name(param_info.param); });

}  // namespace
}  // namespace fai::test
