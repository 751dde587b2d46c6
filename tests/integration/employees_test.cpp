// Employees, enrolment and attendance against a real `factoryai serve`, once per database:
// CRUD, enrolment with real photos (face-api's demo photos: group photos, so one person is a
// crop), refused photos, deletion that removes templates from the database, the Gallery and
// (fake) AWS Rekognition, and a frame of the enrolled person that checks them in.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "../unit/cloud/fake_rekognition.h"
#include "scratch_server.h"
#include "subprocess.h"

namespace fai::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

const std::string kDemoDir =
    std::string(FAI_SOURCE_DIR) + "/.cache/model-src/vladmandic-face-api-1.7.15/package/demo";

// Face centres in sample6.jpg (four women; see tests/unit/identity/face_pipeline_test.cpp).
const cv::Point2f kSample6Faces[] = {{776, 501}, {1259, 459}, {1583, 429}, {348, 642}};

const cv::Mat& sample(int n) {
  static std::map<int, cv::Mat> photos;
  if (!photos.count(n)) photos[n] = cv::imread(kDemoDir + "/sample" + std::to_string(n) + ".jpg");
  return photos[n];
}

cv::Mat crop_around(const cv::Mat& image, cv::Point2f centre, int side) {
  const cv::Rect r(int(centre.x) - side / 2, int(centre.y) - side / 2, side, side);
  return image(r & cv::Rect(0, 0, image.cols, image.rows)).clone();
}

std::string jpeg(const cv::Mat& image) {
  std::vector<uchar> bytes;
  cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 92});
  return {bytes.begin(), bytes.end()};
}

// One woman of sample6, and the same woman in a second, smaller and darker photo.
std::string portrait(int person = 0) {
  return jpeg(crop_around(sample(6), kSample6Faces[person], 400));
}
std::string second_portrait() {
  cv::Mat other;
  cv::resize(crop_around(sample(6), kSample6Faces[0], 560), other, cv::Size(), 0.7, 0.7,
             cv::INTER_AREA);
  other.convertTo(other, -1, 0.8, -10);
  return jpeg(other);
}

std::string base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

constexpr const char* kConfig = R"(server:
  host: 127.0.0.1
  static_dir: ""
  max_body_bytes: 20000000
store:
  spool_dir: "@SPOOL@"
images:
  max_width: 2048
  max_height: 2048
tracker:
  high_score: 0.3
  low_score: 0.1
  new_track_score: 0.35
recognition:
  mode: @MODE@
aws:
  endpoint: "@AWS@"
  access_key_id: AKIDEXAMPLE
  secret_access_key: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
  max_retries: 0
attendance:
  grace_minutes: 5
  min_confidence: 0.5
)";

struct Reply {
  int status = -1;
  json body;
  const json& operator[](const char* key) const { return body[key]; }
};

std::ostream& operator<<(std::ostream& os, const Reply& r) {
  return os << "HTTP " << r.status << " " << r.body.dump().substr(0, 2000);
}

Reply to_reply(const httplib::Result& res) {
  Reply r;
  if (!res) return r;
  r.status = res->status;
  r.body = json::parse(res->body, nullptr, false);
  if (r.body.is_discarded()) r.body = res->body;  // CSV
  return r;
}

class EmployeesTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const bool have = models_available() && fs::exists(kDemoDir + "/sample6.jpg");
    if (!have) {
      if (models_required())
        FAIL() << "models/ or face-api's demo photos (" << kDemoDir << ") missing";
      GTEST_SKIP() << "models/ (make models) or the fetched face-api package missing";
    }
    static int counter = 0;
    const std::string unique = std::to_string(getpid()) + "_" + std::to_string(counter++);
    dir_ = fs::temp_directory_path() / ("fai_employees_" + unique);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = std::make_unique<ScratchDatabase>(GetParam(), dir_, "fai_employees_test_" + unique);
    if (db_->state() == ScratchDatabase::State::kFail) FAIL() << db_->problem();
    if (db_->state() == ScratchDatabase::State::kSkip) GTEST_SKIP() << db_->problem();
    db_url_ = db_->url();
  }

  void TearDown() override {
    if (process_ && HasFailure()) std::cerr << "--- server log ---\n" << process_->log();
    process_.reset();
    db_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void start_server(const std::string& mode = "local", const std::string& aws_endpoint = "") {
    std::string config = kConfig;
    config.replace(config.find("@SPOOL@"), 7, (dir_ / "spool").string());
    config.replace(config.find("@MODE@"), 6, mode);
    config.replace(config.find("@AWS@"), 5, aws_endpoint);
    std::ofstream(dir_ / "config.yaml") << config;
    const std::string log = (dir_ / ("server" + std::to_string(starts_++) + ".log")).string();
    StartedServer started = start_serve((dir_ / "config.yaml").string(), db_url_, log);
    process_ = std::move(started.process);
    ASSERT_TRUE(started.port > 0) << started.error;
    port_ = started.port;
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60s);
    c.set_write_timeout(60s);
    return c;
  }
  Reply get(const std::string& path) const { return to_reply(client().Get(path.c_str())); }
  Reply del(const std::string& path) const { return to_reply(client().Delete(path.c_str())); }
  Reply post(const std::string& path, const std::string& body,
             const std::string& type = "application/json") const {
    return to_reply(client().Post(path.c_str(), body, type.c_str()));
  }
  Reply put(const std::string& path, const json& body) const {
    return to_reply(client().Put(path.c_str(), body.dump(), "application/json"));
  }
  Reply post_photos(const std::string& id, const std::vector<std::string>& photos) const {
    httplib::MultipartFormDataItems items;
    for (size_t i = 0; i < photos.size(); ++i) {
      items.push_back({"photo", photos[i], "photo" + std::to_string(i) + ".jpg", "image/jpeg"});
    }
    return to_reply(client().Post(("/api/employees/" + id + "/faces").c_str(), items));
  }
  Reply post_images(const std::string& id, const std::vector<std::string>& photos) const {
    json images = json::array();
    for (const std::string& p : photos) images.push_back(base64(p));
    return post("/api/employees/" + id + "/faces", json{{"images", images}}.dump());
  }

  // One value from the database, through its command-line client.
  std::string scalar(const std::string& sql) const {
    const RunResult r = GetParam() == Backend::kSqlite
                            ? run_command({"/usr/bin/sqlite3", db_->sqlite_path(), sql}, 30s)
                            : psql(db_url_, sql);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  void create_alice() {
    const Reply r = post("/api/employees", json{{"employee_id", "E001"},
                                                {"name", "Alice Smith"},
                                                {"department", "Assembly"},
                                                {"shift_start", "08:00"},
                                                {"shift_end", "17:00"},
                                                {"consent", true}}
                                               .dump());
    ASSERT_EQ(r.status, 201) << r;
  }

  fs::path dir_;
  std::string db_url_;
  std::unique_ptr<ScratchDatabase> db_;
  std::unique_ptr<BackgroundProcess> process_;
  int port_ = 0;
  int starts_ = 0;
};

TEST_P(EmployeesTest, CrudRoundTrip) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  ASSERT_NO_FATAL_FAILURE(create_alice());
  Reply r = post("/api/employees", json{{"employee_id", "E001"}, {"name", "Again"}}.dump());
  EXPECT_EQ(r.status, 409) << r;
  EXPECT_EQ(r.body["success"], false);
  r = post(
      "/api/employees",
      json{
          {"employee_id", "E002"}, {"name", "Bob"}, {"shift_start", "8:00"}, {"shift_end", "17:00"}}
          .dump());
  EXPECT_EQ(r.status, 400) << r;
  EXPECT_NE(r.body["error"]["message"].get<std::string>().find("HH:MM"), std::string::npos) << r;
  EXPECT_EQ(post("/api/employees", json{{"employee_id", "E002"}}.dump()).status, 400);
  EXPECT_EQ(post("/api/employees", "{not json").status, 400);
  EXPECT_EQ(
      post("/api/employees", json{{"employee_id", "E002"}, {"name", "B"}, {"x", 1}}.dump()).status,
      400);
  ASSERT_EQ(
      post("/api/employees", json{{"employee_id", "E002"}, {"name", "Bob Jones"}}.dump()).status,
      201);

  r = get("/api/employees?limit=10");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body["total"], 2);
  ASSERT_EQ(r.body["items"].size(), 2u);
  const json& alice = r.body["items"][0];
  EXPECT_EQ(alice["employee_id"], "E001");
  EXPECT_EQ(alice["name"], "Alice Smith");
  EXPECT_EQ(alice["department"], "Assembly");
  EXPECT_EQ(alice["shift_start"], "08:00");
  EXPECT_EQ(alice["shift_end"], "17:00");
  EXPECT_EQ(alice["consent"], true);
  EXPECT_EQ(alice["templates"], 0);
  EXPECT_TRUE(alice["created_at"].is_string());
  EXPECT_EQ(get("/api/employees?q=jones")["items"].size(), 1u);

  r = put("/api/employees/E002",
          {{"department", "Paint"}, {"shift_start", "22:00"}, {"shift_end", "06:00"}});
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body["employee"]["department"], "Paint");
  EXPECT_EQ(r.body["employee"]["name"], "Bob Jones");
  EXPECT_EQ(put("/api/employees/E002", {{"shift_end", "25:00"}}).status, 400);
  EXPECT_EQ(put("/api/employees/E002", {{"consent", "yes"}}).status, 400);
  EXPECT_EQ(put("/api/employees/nobody", {{"name", "X"}}).status, 404);

  r = get("/api/employees/E002");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body["employee"]["shift_start"], "22:00");
  EXPECT_EQ(r.body["faces"], json::array());
  EXPECT_EQ(get("/api/employees/nobody").status, 404);

  EXPECT_EQ(del("/api/employees/E002").status, 200);
  EXPECT_EQ(get("/api/employees/E002").status, 404);
  EXPECT_EQ(del("/api/employees/E002").status, 404);
  EXPECT_EQ(get("/api/employees")["total"], 1);
}

TEST_P(EmployeesTest, EnrolsRealPhotosAndRefusesBadOnes) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  ASSERT_NO_FATAL_FAILURE(create_alice());

  Reply r = post_photos("E001", {portrait()});
  ASSERT_EQ(r.status, 201) << r;
  ASSERT_EQ(r.body["added"].size(), 1u);
  EXPECT_GT(r.body["added"][0]["face_id"], 0);
  EXPECT_GT(r.body["added"][0]["quality"], 0.0);
  EXPECT_EQ(r.body["templates"], 1);
  r = post_images("E001", {second_portrait()});
  ASSERT_EQ(r.status, 201) << r;
  EXPECT_EQ(r.body["templates"], 2);

  // Refused photos name their index; nothing from such a request is stored.
  struct Bad {
    std::string what;
    std::vector<std::string> photos;
    std::string code;
    int index;
  };
  const std::vector<Bad> refused = {
      {"group photo", {jpeg(sample(1))}, "several_faces", 0},
      {"good then group", {portrait(1), jpeg(sample(6))}, "several_faces", 1},
      {"a wall", {jpeg(sample(6)(cv::Rect(0, 0, 300, 300)).clone())}, "no_face", 0},
      {"a tiny face",
       [] {
         cv::Mat tiny;
         cv::resize(crop_around(sample(6), kSample6Faces[0], 400), tiny, cv::Size(), 0.2, 0.2);
         return std::vector<std::string>{jpeg(tiny)};
       }(),
       "low_quality", 0},
  };
  for (const Bad& b : refused) {
    r = post_photos("E001", b.photos);
    EXPECT_EQ(r.status, 422) << b.what << ": " << r;
    EXPECT_EQ(r.body["error"]["code"], b.code) << b.what << ": " << r;
    EXPECT_EQ(r.body["error"]["photo_index"], b.index) << b.what;
    EXPECT_NE(
        r.body["error"]["message"].get<std::string>().find("photo " + std::to_string(b.index)),
        std::string::npos)
        << r;
  }
  EXPECT_EQ(post_images("E001", {"!!!not base64"}).status, 400);
  EXPECT_EQ(post_images("E001", {base64("plain text, not an image")}).status, 400);
  EXPECT_EQ(post("/api/employees/E001/faces", json{{"images", "x"}}.dump()).status, 400);
  EXPECT_EQ(post("/api/employees/E001/faces", "{").status, 400);
  EXPECT_EQ(post_photos("nobody", {portrait()}).status, 404);
  EXPECT_EQ(post_images("E001", {}).status, 400);

  r = get("/api/employees/E001");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body["employee"]["templates"], 2) << "refused requests stored nothing";
  ASSERT_EQ(r.body["faces"].size(), 2u);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM face_templates"), "2");
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM face_templates WHERE photo IS NOT NULL"), "0")
      << "photos are not kept unless recognition.keep_photos";
  EXPECT_EQ(get("/api/diagnostic")["attendance"]["gallery_templates"], 2);

  // Deleting a face, then the employee, removes the templates everywhere.
  const int64_t face_id = r.body["faces"][0]["face_id"];
  r = del("/api/employees/E001/faces/" + std::to_string(face_id));
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body["templates"], 1);
  EXPECT_EQ(del("/api/employees/E001/faces/" + std::to_string(face_id)).status, 404);
  EXPECT_EQ(del("/api/employees/E001/faces/abc").status, 404);
  EXPECT_EQ(get("/api/diagnostic")["attendance"]["gallery_templates"], 1);
  ASSERT_EQ(del("/api/employees/E001").status, 200);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM face_templates"), "0");
  EXPECT_EQ(get("/api/diagnostic")["attendance"]["gallery_templates"], 0);
}

TEST_P(EmployeesTest, AwsModeIndexesAndDeletesFacesInTheCollection) {
  aws::testing::FakeRekognition fake;
  ASSERT_NO_FATAL_FAILURE(start_server("aws", fake.endpoint()));
  ASSERT_NO_FATAL_FAILURE(create_alice());
  Reply r = post_photos("E001", {portrait(), second_portrait()});
  ASSERT_EQ(r.status, 201) << r;
  // The first IndexFaces finds no collection; the client creates it and tries again.
  EXPECT_EQ(fake.requests("CreateCollection"), 1);
  EXPECT_EQ(fake.requests("IndexFaces"), 3);
  EXPECT_TRUE(fake.has_collection("factoryai-employees"));
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM face_templates WHERE aws_face_id IS NOT NULL"), "2");
  r = get("/api/employees/E001");
  ASSERT_EQ(r.body["faces"].size(), 2u);
  EXPECT_EQ(r.body["faces"][0]["in_aws"], true);

  ASSERT_EQ(del("/api/employees/E001/faces/" + r.body["faces"][0]["face_id"].dump()).status, 200);
  EXPECT_EQ(fake.requests("DeleteFaces"), 1);
  ASSERT_EQ(del("/api/employees/E001").status, 200);
  EXPECT_EQ(fake.requests("DeleteFaces"), 2);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM face_templates"), "0");
  EXPECT_TRUE(fake.violations().empty()) << fake.violations().front();

  // AWS down at enrolment: refused with 503, nothing stored locally either.
  ASSERT_NO_FATAL_FAILURE(create_alice());
  fake.inject(aws::testing::Fault::kServerError, 10);
  r = post_photos("E001", {portrait()});
  EXPECT_EQ(r.status, 503) << r;
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM face_templates"), "0");
}

// The enrolled woman in the full group photo: her track is named and checks her in; a kill -9
// and restart neither loses the check-in nor adds a second record. NanoDet scores the women of
// sample6 0.35-0.53 (`factoryai detect`), so the tracker thresholds above sit below that.
TEST_P(EmployeesTest, RecognisedEmployeeIsCheckedInOnceAcrossACrash) {
  ASSERT_NO_FATAL_FAILURE(start_server());
  ASSERT_NO_FATAL_FAILURE(create_alice());
  // The woman at the left (sample6's fourth face): NanoDet boxes her alone and her face passes
  // the frame quality gate (the first woman's turned head does not, in her person box).
  ASSERT_EQ(post_photos("E001", {portrait(3)}).status, 201);

  const std::string frame = base64(jpeg(sample(6)));
  auto send = [&](int second) {
    char ts[40];
    std::snprintf(ts, sizeof ts, "2026-01-31T08:10:%02d.000Z", second);
    return post("/api/process", json{{"frame", frame}, {"timestamp", ts}}.dump());
  };
  std::string first_named;
  for (int i = 0; i < 8 && first_named.empty(); ++i) {
    const Reply r = send(i);
    ASSERT_EQ(r.status, 200) << r;
    for (const json& f : r.body["faces_recognized"]) {
      if (f["employee_id"] == "E001") {
        EXPECT_EQ(f["name"], "Alice Smith");
        first_named = r.body["timestamp"];
      }
      EXPECT_TRUE(f["employee_id"] == "E001" || f["employee_id"] == "") << f;
    }
  }
  ASSERT_FALSE(first_named.empty())
      << "the enrolled employee was never recognised: " << get("/api/diagnostic")["recognition"];

  Reply r = get("/api/attendance?date=2026-01-31");
  ASSERT_EQ(r.status, 200) << r;
  ASSERT_EQ(r.body["total"], 1) << r;
  const json rec = r.body["items"][0];
  EXPECT_EQ(rec["employee_id"], "E001");
  EXPECT_EQ(rec["name"], "Alice Smith");
  EXPECT_EQ(rec["shift_date"], "2026-01-31");
  EXPECT_EQ(rec["check_in_time"], first_named);
  EXPECT_EQ(rec["status"], "late") << "08:10 is past 08:00 + 5 min grace";
  EXPECT_EQ(rec["camera_id"], "default");
  EXPECT_GT(rec["confidence"], 0.5);

  process_->stop(SIGKILL);
  ASSERT_NO_FATAL_FAILURE(start_server());
  for (int i = 20; i < 23; ++i) ASSERT_EQ(send(i).status, 200);
  r = get("/api/attendance?date=2026-01-31&employee=E001");
  ASSERT_EQ(r.status, 200) << r;
  ASSERT_EQ(r.body["total"], 1) << r;
  EXPECT_EQ(r.body["items"][0]["check_in_time"], first_named);
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM attendance_records"), "1");

  r = get("/api/attendance?date=2026-01-31&format=csv");
  ASSERT_EQ(r.status, 200);
  const std::string csv = r.body.get<std::string>();
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "employee_id,name,department,shift_date,shift_start,shift_end,check_in_time,"
            "check_out_time,status,early_leave,confidence,camera_id");
  EXPECT_NE(csv.find("E001,Alice Smith,Assembly,2026-01-31,08:00,17:00," + first_named),
            std::string::npos)
      << csv;
  EXPECT_EQ(get("/api/attendance?date=2026-02-31").status, 400);
  EXPECT_EQ(get("/api/attendance?date=2026-02-01")["total"], 0);

  // Deleted: the gallery no longer matches her (a new camera, so new tracks and no cached
  // decision), and her records are gone.
  ASSERT_EQ(del("/api/employees/E001").status, 200);
  for (int i = 30; i < 34; ++i) {
    char ts[40];
    std::snprintf(ts, sizeof ts, "2026-01-31T08:10:%02d.000Z", i);
    const Reply p = post("/api/process",
                         json{{"frame", frame}, {"timestamp", ts}, {"camera_id", "hall"}}.dump());
    ASSERT_EQ(p.status, 200) << p;
    for (const json& f : p.body["faces_recognized"]) EXPECT_NE(f["employee_id"], "E001") << f;
  }
  EXPECT_EQ(get("/api/attendance")["total"], 0);
}

INSTANTIATE_TEST_SUITE_P(Db, EmployeesTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& param_info) { return backend_name(param_info.param); });

}  // namespace
}  // namespace fai::test
