// PlateAnalyzer on synthetic vehicle tracks: frame selection and the OCR budget, the vote, list
// matching and alerts, visits (first/last seen, and paired by a gate line's direction; the gate
// following runtime line edits), idempotent visit writes, the spool of refused writes, the
// start-up closing of visits a crash left open and the running expiry of gate entries, with a
// scripted plate reader and a real SQLite VehicleStore; then the real PP-OCR reader on a synthetic
// approaching car (needs models/, skips without it).

#include "pipeline/analyzers/plate_analyzer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "subprocess.h"

namespace fai {
namespace {

using namespace std::chrono_literals;

const SystemTime kT0 = SystemTime{} + 490000h;
constexpr int64_t kCar = 5, kOtherCar = 9;

// A plate reader that answers from a script, one entry per call (the last one repeats), and
// remembers what it was shown.
struct ScriptedReader {
  explicit ScriptedReader(std::vector<std::string> script) : answers(std::move(script)) {}
  std::vector<std::string> answers;  // "" = no plate
  float confidence = 0.9f;
  int calls = 0;
  std::vector<cv::Size> crops;

  PlateReadFn fn() {
    return [this](const cv::Mat& image, const Box&) -> Expected<std::optional<PlateRead>> {
      crops.push_back(image.size());
      const std::string& text = answers[std::min<size_t>(calls++, answers.size() - 1)];
      if (text.empty()) return std::optional<PlateRead>();
      PlateRead read;
      read.text = text;
      read.confidence = confidence;
      read.char_confidences.assign(text.size(), confidence);
      return std::optional<PlateRead>(read);
    };
  }
};

// A frame with textured "vehicles" (sharp enough for the quality gate), blurred when asked.
cv::Mat frame_with(const std::vector<Box>& boxes, bool blurred = false) {
  cv::Mat image(720, 1280, CV_8UC3, cv::Scalar(100, 100, 100));
  for (const Box& b : boxes) {
    const cv::Rect r(static_cast<int>(b.x1), static_cast<int>(b.y1), static_cast<int>(b.width()),
                     static_cast<int>(b.height()));
    cv::Mat roi = image(r & cv::Rect(0, 0, image.cols, image.rows));
    cv::randu(roi, cv::Scalar::all(0), cv::Scalar::all(255));
  }
  if (blurred) cv::GaussianBlur(image, image, cv::Size(31, 31), 12);
  return image;
}

struct Step {
  int64_t track;
  Box box;
};

// A car approaching for 30 frames: the box grows from 80 to 370 px high.
Box approaching(int i) {
  const float h = 80.0f + 10.0f * static_cast<float>(i);
  return {400, 300, 400 + 1.4f * h, 300 + h};
}

class PlateAnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "fai-plates-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    config_ = {"sqlite:" + dir_ + "/fai.db", 100ms};
    auto migrated = open_store(config_);
    ASSERT_TRUE(migrated) << migrated.error().message;
    auto vehicles = VehicleStore::open(config_);
    ASSERT_TRUE(vehicles) << vehicles.error().message;
    store_ = std::move(*vehicles);
    anpr_.max_ocr_frames = 4;
    anpr_.ocr_window_frames = 5;
    anpr_.min_vehicle_height_px = 64;
    anpr_.min_agreeing_reads = 2;
    anpr_.min_track_frames = 3;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<PlateAnalyzer> analyzer(ScriptedReader& reader,
                                          std::map<std::string, CountingLine> gates = {}) {
    return std::make_unique<PlateAnalyzer>(anpr_, reader.fn(), store_.get(), std::move(gates), 2);
  }

  // Car kCar approaches for 30 frames (3 s), then its track ends.
  void drive_car_past(PlateAnalyzer& a) {
    for (int i = 0; i < 30; ++i) run(a, i, {{kCar, approaching(i)}});
    run(a, 30, {}, {kCar});
  }

  // One frame: the given tracks visible (cars), `ended` ending. Returns the outcome.
  FrameOutcome run(PlateAnalyzer& a, int64_t seq, const std::vector<Step>& visible,
                   const std::vector<int64_t>& ended = {}, bool blurred = false) {
    FrameOutcome out;
    out.camera_id = camera_;
    out.timestamp = kT0 + std::chrono::milliseconds(100 * seq);
    std::vector<Box> boxes;
    for (const Step& s : visible) {
      Track t;
      t.id = s.track;
      t.box = s.box;
      t.class_id = coco::kCar;
      t.state = TrackState::kTracked;
      t.det_index = static_cast<int>(out.detections.size());
      out.detections.push_back({s.box, 0.8f, coco::kCar});
      out.tracks.push_back(t);
      boxes.push_back(s.box);
    }
    const cv::Mat image = frame_with(boxes, blurred);
    const AnalyzerFrame frame{camera_, image, out.timestamp, seq, ended, lines_};
    const Status st = a.on_frame(frame, out);
    EXPECT_TRUE(st) << st.error().message;
    return out;
  }

  std::vector<VehicleVisit> visits() {
    auto page = store_->visits({});
    EXPECT_TRUE(page) << page.error().message;
    return page ? page->rows : std::vector<VehicleVisit>();
  }

  void list(const std::string& plate, PlateList which, std::optional<SystemTime> until = {}) {
    VehicleEntry e;
    e.plate_number = plate;
    e.list = which;
    e.valid_until = until;
    ASSERT_TRUE(store_->add(e));
  }

  std::string dir_;
  StoreConfig config_;
  std::unique_ptr<VehicleStore> store_;
  AnprConfig anpr_;
  std::string camera_ = "yard";
  const std::vector<CountingLine>* lines_ = nullptr;  // the pipeline's lines, handed to frames
};

TEST_F(PlateAnalyzerTest, AFewOcrCallsPerTrackVoteOnePlatePerVisit) {
  ScriptedReader reader{{"KA01AB1234", "KA01AB1284", "KA01AB1234"}};
  auto a = analyzer(reader);
  FrameOutcome last;
  int settled_at = -1;
  for (int i = 0; i < 30; ++i) {
    last = run(*a, i, {{kCar, approaching(i)}});
    ASSERT_EQ(last.vehicles_detected.size(), 1u);
    if (settled_at < 0 && !last.vehicles_detected[0].plate.empty()) settled_at = i;
  }
  // Every 5th frame of the window gets one call; the second agreeing read settles the vote.
  EXPECT_EQ(reader.calls, 3);
  EXPECT_EQ(settled_at, 14);
  EXPECT_EQ(last.vehicles_detected[0].plate, "KA01AB1234");
  EXPECT_EQ(last.vehicles_detected[0].status, "unknown");
  EXPECT_EQ(last.vehicles_detected[0].type, "car");
  EXPECT_NEAR(last.vehicles_detected[0].confidence, 0.9f, 1e-6);
  // The crop sent is the window's largest (sharp) box, with a margin.
  ASSERT_FALSE(reader.crops.empty());
  EXPECT_GE(reader.crops[0].height, static_cast<int>(approaching(4).height()));
  const FrameOutcome end = run(*a, 30, {}, {kCar});
  const auto rows = visits();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].plate_number, "KA01AB1234");
  EXPECT_EQ(rows[0].status, "unknown");
  EXPECT_EQ(rows[0].entry_time, kT0);
  EXPECT_EQ(rows[0].exit_time, kT0 + 2900ms);  // last seen, not the end notice
  EXPECT_EQ(rows[0].camera_id, "yard");
  EXPECT_EQ(rows[0].vehicle_type, "car");
  EXPECT_EQ(a->stats().tracks, 1);
  EXPECT_EQ(a->stats().ocr_calls, 3);
}

TEST_F(PlateAnalyzerTest, TheOcrBudgetCapsCallsWhenReadsDisagree) {
  ScriptedReader reader{{"AAA111", "BBB222", "CCC333", "DDD444", "EEE555", "FFF666"}};
  auto a = analyzer(reader);
  for (int i = 0; i < 60; ++i) run(*a, i, {{kCar, approaching(i % 30)}});
  run(*a, 60, {}, {kCar});
  EXPECT_EQ(reader.calls, anpr_.max_ocr_frames);
  EXPECT_EQ(a->stats().ocr_calls_per_track(), 4.0);
  ASSERT_EQ(visits().size(), 1u);
  EXPECT_FALSE(visits()[0].plate_number.empty());  // the vote's best guess at the end
}

TEST_F(PlateAnalyzerTest, SmallOrBlurredVehiclesCostNoOcrAndStayUnread) {
  ScriptedReader reader{{"KA01AB1234"}};
  auto a = analyzer(reader);
  for (int i = 0; i < 12; ++i) run(*a, i, {{kCar, {10, 10, 80, 50}}});  // 40 px high
  for (int i = 12; i < 24; ++i) run(*a, i, {{kOtherCar, approaching(20)}}, {}, /*blurred=*/true);
  run(*a, 24, {}, {kCar, kOtherCar});
  EXPECT_EQ(reader.calls, 0);
  const auto rows = visits();
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    EXPECT_EQ(r.status, "unread");
    EXPECT_TRUE(r.exit_time);
  }
}

TEST_F(PlateAnalyzerTest, ListedPlatesMatchDespiteLookalikesAndBlacklistAlertsOnce) {
  list("KA01AB1234", PlateList::kBlacklist);
  list("MH12DE1433", PlateList::kWhitelist);
  ScriptedReader black{{"KA01A81234"}};  // B read as 8
  auto a = analyzer(black);
  std::vector<Alert> alerts;
  for (int i = 0; i < 30; ++i) {
    auto out = run(*a, i, {{kCar, approaching(i)}});
    alerts.insert(alerts.end(), out.alerts.begin(), out.alerts.end());
  }
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].kind, "blacklisted_plate");
  EXPECT_EQ(alerts[0].track_id, kCar);
  EXPECT_EQ(alerts[0].subject, "KA01A81234");
  run(*a, 30, {}, {kCar});
  ScriptedReader white{{"MH12DE1433"}};
  auto b = analyzer(white);
  for (int i = 0; i < 30; ++i)
    EXPECT_TRUE(run(*b, 100 + i, {{kOtherCar, approaching(i)}}).alerts.empty());
  run(*b, 130, {}, {kOtherCar});
  const auto rows = visits();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].status, "blacklisted");
  EXPECT_EQ(rows[0].matched_plate, "KA01AB1234");
  EXPECT_EQ(rows[1].status, "whitelisted");
  EXPECT_EQ(rows[1].matched_plate, "MH12DE1433");
}

TEST_F(PlateAnalyzerTest, AnExpiredWhitelistEntryDoesNotMatch) {
  list("MH12DE1433", PlateList::kWhitelist, kT0 - 24h);
  ScriptedReader reader{{"MH12DE1433"}};
  auto a = analyzer(reader);
  std::vector<Alert> alerts;
  for (int i = 0; i < 30; ++i) {
    auto out = run(*a, i, {{kCar, approaching(i)}});
    alerts.insert(alerts.end(), out.alerts.begin(), out.alerts.end());
  }
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].kind, "unknown_plate");
}

// A gate line across y = 400 (seed orientation: moving down is in). One car drives in and its
// track ends inside; later another track of the same plate drives out: one visit, entry and exit.
TEST_F(PlateAnalyzerTest, AGateLinePairsEntryAndExitByDirection) {
  camera_ = "gate";
  ScriptedReader reader{{"KA01AB1234"}};
  auto a = analyzer(reader, {{"gate", default_counting_line()}});
  auto at_bottom = [](float y) { return Box{400, y - 200, 680, y}; };
  for (int i = 0; i < 20; ++i) run(*a, i, {{kCar, at_bottom(300.0f + 10.0f * i)}});  // crosses
  EXPECT_EQ(visits().size(), 1u);
  run(*a, 20, {}, {kCar});
  for (int i = 0; i < 20; ++i) run(*a, 50 + i, {{kOtherCar, at_bottom(490.0f - 10.0f * i)}});
  run(*a, 70, {}, {kOtherCar});
  const auto rows = visits();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].plate_number, "KA01AB1234");
  EXPECT_EQ(rows[0].track_id, kCar);
  ASSERT_TRUE(rows[0].entry_time && rows[0].exit_time);
  EXPECT_GT(*rows[0].entry_time, kT0 + 900ms);  // at the crossing, not at first sight
  EXPECT_LT(*rows[0].entry_time, kT0 + 1500ms);
  EXPECT_GT(*rows[0].exit_time, kT0 + 5900ms);
  EXPECT_LT(*rows[0].exit_time, kT0 + 7000ms);
}

TEST_F(PlateAnalyzerTest, AnExitWithNoEntryIsLoggedOnItsOwn) {
  camera_ = "gate";
  ScriptedReader reader{{"ZZ9999"}};
  auto a = analyzer(reader, {{"gate", default_counting_line()}});
  for (int i = 0; i < 20; ++i) run(*a, i, {{kCar, {400, 290.0f - 10 * i, 680, 490.0f - 10 * i}}});
  run(*a, 20, {}, {kCar});
  const auto rows = visits();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].entry_time);
  EXPECT_TRUE(rows[0].exit_time);
  EXPECT_EQ(rows[0].plate_number, "ZZ9999");
}

Box at_bottom(float y) {
  return {400, y - 200, 680, y};
}

// The seed's line (moving down is in) moved to y.
CountingLine default_line_at(float y) {
  CountingLine line = default_counting_line();
  line.start.y = line.end.y = y;
  return line;
}

const VehicleVisit* find_visit(const std::vector<VehicleVisit>& rows, int64_t track) {
  for (const VehicleVisit& v : rows) {
    if (v.track_id == track) return &v;
  }
  return nullptr;
}

// The dashboard moves the gate's line at runtime (PUT /api/cameras/gate/lines): the gate counts
// at the new place from that frame on, and no longer where the line was at start-up.
TEST_F(PlateAnalyzerTest, AGateFollowsItsLineWhenItIsMovedAtRuntime) {
  camera_ = "gate";
  ScriptedReader reader{{"KA01AB1234"}};
  auto a = analyzer(reader, {{"gate", default_counting_line()}});  // y = 400 at start-up
  std::vector<CountingLine> lines = {default_counting_line()};
  lines_ = &lines;
  for (int i = 0; i < 3; ++i) run(*a, i, {{kCar, at_bottom(300)}});
  lines = {default_line_at(600)};
  // Down across y = 400, where the line was, stopping above 600: no entry.
  for (int i = 0; i < 20; ++i) run(*a, 3 + i, {{kCar, at_bottom(300.0f + 10.0f * i)}});
  run(*a, 23, {}, {kCar});
  EXPECT_TRUE(visits().empty()) << "a crossing where the line was opened a visit";
  // Down across y = 600: an entry at the crossing (second frame on the new side).
  for (int i = 0; i < 20; ++i) run(*a, 30 + i, {{kOtherCar, at_bottom(505.0f + 10.0f * i)}});
  run(*a, 50, {}, {kOtherCar});
  auto rows = visits();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].track_id, kOtherCar);
  ASSERT_TRUE(rows[0].entry_time);
  EXPECT_EQ(*rows[0].entry_time, kT0 + 4100ms);
  EXPECT_FALSE(rows[0].exit_time);
  // Up across y = 600 with the same plate: the exit closes that visit.
  constexpr int64_t kThirdCar = 11;
  for (int i = 0; i < 20; ++i) run(*a, 60 + i, {{kThirdCar, at_bottom(695.0f - 10.0f * i)}});
  run(*a, 80, {}, {kThirdCar});
  rows = visits();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].track_id, kOtherCar);
  EXPECT_EQ(rows[0].exit_time, kT0 + 7100ms);
}

// The gate's line deleted at runtime: that camera logs first/last-seen visits (a parked car is a
// visit) until a line of that name is back (a parked car is none).
TEST_F(PlateAnalyzerTest, AGateWhoseLineIsDeletedFallsBackToFirstAndLastSeen) {
  camera_ = "gate";
  ScriptedReader reader{{"KA01AB1234"}};
  auto a = analyzer(reader, {{"gate", default_counting_line()}});
  std::vector<CountingLine> lines = {default_counting_line()};
  lines_ = &lines;
  run(*a, 0, {});
  lines = {CountingLine{"door", {0, 100}, {1, 100}, LineSide::kRight, true}};
  for (int i = 1; i < 11; ++i) run(*a, i, {{kCar, at_bottom(300)}});
  run(*a, 11, {}, {kCar});
  auto rows = visits();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].entry_time, kT0 + 100ms);
  EXPECT_EQ(rows[0].exit_time, kT0 + 1000ms);
  EXPECT_EQ(rows[0].plate_number, "KA01AB1234");
  lines = {default_counting_line()};
  for (int i = 20; i < 30; ++i) run(*a, i, {{kOtherCar, at_bottom(300)}});
  run(*a, 30, {}, {kOtherCar});
  EXPECT_EQ(visits().size(), 1u);
}

// The process dies with a car in view on a first/last-seen camera, a car inside behind a gate
// and a two-day-old gate entry never closed. At start-up the first closes at its last sighting
// (written every 10 s), the second stays open and pairs with its exit, the third expires and
// its plate's exit is logged on its own.
TEST_F(PlateAnalyzerTest, VisitsLeftOpenByTheLastRunAreClosedAtStartUp) {
  const std::map<std::string, CountingLine> gates = {{"gate", default_counting_line()}};
  ScriptedReader reader{{"KA01AB1234"}};
  {
    auto a = analyzer(reader, gates);
    for (int i = 0; i < 150; ++i) run(*a, i, {{kCar, approaching(i % 30)}});
    camera_ = "gate";
    for (int i = 0; i < 20; ++i) run(*a, 200 + i, {{kOtherCar, at_bottom(300.0f + 10.0f * i)}});
    run(*a, 220, {}, {kOtherCar});
  }  // killed: kCar's track never ends
  VehicleVisit stale;
  stale.visit_key = "gate/77/in/" + std::to_string((kT0 - 48h).time_since_epoch() / 1ms);
  stale.camera_id = "gate";
  stale.track_id = 77;
  stale.plate_number = "MH12DE1433";
  stale.vehicle_type = "car";
  stale.entry_time = kT0 - 48h;
  stale.status = "unknown";
  ASSERT_TRUE(store_->record_visit(stale));
  auto before = visits();
  ASSERT_EQ(before.size(), 3u);
  const VehicleVisit* yard = find_visit(before, kCar);
  ASSERT_TRUE(yard && yard->last_seen);
  EXPECT_FALSE(yard->exit_time);
  EXPECT_GE(*yard->last_seen, kT0 + 14900ms - 10s);  // at most 10 s behind the last frame
  EXPECT_LE(*yard->last_seen, kT0 + 14900ms);
  const SystemTime last_seen = *yard->last_seen;

  auto b = analyzer(reader, gates);
  ASSERT_TRUE(b->recover("", kT0 + 1h));
  EXPECT_EQ(b->stats().visits_closed_at_start, 2);
  auto rows = visits();
  ASSERT_EQ(rows.size(), 3u);
  yard = find_visit(rows, kCar);
  ASSERT_TRUE(yard);
  EXPECT_EQ(yard->exit_time, last_seen);
  EXPECT_EQ(yard->closed_reason, "restart");
  const VehicleVisit* inside = find_visit(rows, kOtherCar);
  ASSERT_TRUE(inside);
  EXPECT_FALSE(inside->exit_time);
  EXPECT_EQ(inside->closed_reason, "");
  const VehicleVisit* expired = find_visit(rows, 77);
  ASSERT_TRUE(expired);
  EXPECT_FALSE(expired->exit_time);
  EXPECT_EQ(expired->closed_reason, "expired");
  // A second start-up finds nothing more to close.
  auto again = analyzer(reader, gates);
  ASSERT_TRUE(again->recover("", kT0 + 1h));
  EXPECT_EQ(again->stats().visits_closed_at_start, 0);
  EXPECT_EQ(visits(), rows);

  // An hour later both plates drive out (up across the gate line).
  camera_ = "gate";
  constexpr int64_t kLeaving = 12, kStaleLeaving = 13;
  const int64_t hour = 36000;  // frames of 100 ms
  for (int i = 0; i < 20; ++i) run(*b, hour + i, {{kLeaving, at_bottom(490.0f - 10.0f * i)}});
  run(*b, hour + 20, {}, {kLeaving});
  ScriptedReader stale_reader{{"MH12DE1433"}};
  auto c = analyzer(stale_reader, gates);
  for (int i = 0; i < 20; ++i) {
    run(*c, hour + 30 + i, {{kStaleLeaving, at_bottom(490.0f - 10.0f * i)}});
  }
  run(*c, hour + 50, {}, {kStaleLeaving});
  rows = visits();
  ASSERT_EQ(rows.size(), 4u);
  inside = find_visit(rows, kOtherCar);
  ASSERT_TRUE(inside && inside->exit_time);
  EXPECT_GT(*inside->exit_time, kT0 + 1h);
  expired = find_visit(rows, 77);
  ASSERT_TRUE(expired);
  EXPECT_FALSE(expired->exit_time) << "an exit paired with an expired entry";
  const VehicleVisit* exit_only = find_visit(rows, kStaleLeaving);
  ASSERT_TRUE(exit_only);
  EXPECT_FALSE(exit_only->entry_time);
  EXPECT_TRUE(exit_only->exit_time);
  EXPECT_EQ(exit_only->plate_number, "MH12DE1433");
}

VehicleVisit gate_entry(const std::string& camera, int64_t track, const std::string& plate,
                        SystemTime entered) {
  VehicleVisit v;
  v.visit_key = camera + "/" + std::to_string(track) + "/in/" +
                std::to_string(entered.time_since_epoch() / 1ms);
  v.camera_id = camera;
  v.track_id = track;
  v.plate_number = plate;
  v.vehicle_type = "car";
  v.entry_time = entered;
  v.status = "unknown";
  return v;
}

constexpr int64_t kDay = 864000;  // in frames of 100 ms

// A gate entry whose exit was missed expires while the server runs, not only at the next start:
// the sweep (at most once a minute of frame time) closes the entries that entered more than
// anpr.max_visit_hours before the frame, "expired" with no exit, on every camera, those sending
// no frames included; younger entries and first/last-seen visits stay open.
TEST_F(PlateAnalyzerTest, GateEntriesOpenTooLongExpireWhileRunningOnEveryCamera) {
  camera_ = "gate";
  ScriptedReader reader{{"KA01AB1234"}};
  auto a = analyzer(reader, {{"gate", default_counting_line()}});
  for (int i = 0; i < 20; ++i) run(*a, i, {{kCar, at_bottom(300.0f + 10.0f * i)}});  // in
  run(*a, 20, {}, {kCar});
  ASSERT_EQ(visits().size(), 1u);
  const SystemTime entered = *visits()[0].entry_time;
  ASSERT_LT(entered, kT0 + 3s);
  // The dock camera sends no frames; its entry is a minute younger, the yard's a day younger.
  ASSERT_TRUE(store_->record_visit(gate_entry("dock", 77, "MH12DE1433", kT0 + 60s)));
  ASSERT_TRUE(store_->record_visit(gate_entry("dock", 78, "DL3CAB9876", kT0 + 24h)));
  camera_ = "yard";  // a car in view there since the start: a first/last-seen visit
  for (int i = 0; i < 5; ++i) run(*a, 30 + i, {{kOtherCar, approaching(i)}});
  auto state = [&](int64_t track) {
    const auto rows = visits();
    const VehicleVisit* v = find_visit(rows, track);
    EXPECT_TRUE(v) << "no visit of track " << track;
    if (!v) return std::string("none");
    return (v->exit_time ? "exit " : "") + (v->closed_reason.empty() ? "open" : v->closed_reason);
  };

  run(*a, kDay - 600, {{kOtherCar, approaching(5)}});  // 24 h - 60 s: nothing expired yet
  EXPECT_EQ(state(kCar), "open");
  EXPECT_EQ(a->stats().visits_expired, 0);
  run(*a, kDay + 30, {{kOtherCar, approaching(5)}});  // 24 h + 3 s: the gate's entry expired
  EXPECT_EQ(state(kCar), "expired");
  EXPECT_EQ(state(77), "open");
  run(*a, kDay + 610, {{kOtherCar, approaching(5)}});  // + 61 s: expired, but 58 s since the sweep
  EXPECT_EQ(state(77), "open");
  run(*a, kDay + 640, {{kOtherCar, approaching(5)}});  // + 64 s: the next sweep
  EXPECT_EQ(state(77), "expired");
  EXPECT_EQ(state(78), "open");
  EXPECT_EQ(state(kOtherCar), "open");  // in view for a day, but no gate entry
  EXPECT_EQ(a->stats().visits_expired, 2);
  const auto rows = visits();
  const VehicleVisit* gate = find_visit(rows, kCar);
  ASSERT_TRUE(gate);
  EXPECT_EQ(gate->entry_time, entered);
  EXPECT_FALSE(gate->exit_time);
  EXPECT_EQ(gate->plate_number, "KA01AB1234");
  // Nothing is left for a start-up to close but the yard's visit (its track "was in view").
  auto b = analyzer(reader, {{"gate", default_counting_line()}});
  ASSERT_TRUE(b->recover("", kT0 + 24h + 65s));
  EXPECT_EQ(b->stats().visits_closed_at_start, 1);
  EXPECT_EQ(state(78), "open");
}

// A frame stamped two days ahead of the clock (the client's clock is wrong) sweeps at the
// clock's time: an entry an hour old stays open, one 25 hours old expires.
TEST_F(PlateAnalyzerTest, AFrameStampedAheadOfTheClockExpiresNothingEarly) {
  camera_ = "gate";
  ScriptedReader reader{{"KA01AB1234"}};
  auto a = analyzer(reader, {{"gate", default_counting_line()}});
  const SystemTime now = std::chrono::system_clock::now();
  ASSERT_TRUE(store_->record_visit(gate_entry("dock", 77, "MH12DE1433", now - 1h)));
  ASSERT_TRUE(store_->record_visit(gate_entry("dock", 78, "DL3CAB9876", now - 25h)));
  run(*a, (now + 48h - kT0) / 100ms, {});
  const auto rows = visits();
  const VehicleVisit* young = find_visit(rows, 77);
  const VehicleVisit* old = find_visit(rows, 78);
  ASSERT_TRUE(young && old);
  EXPECT_EQ(young->closed_reason, "") << "expired by a frame time ahead of the clock";
  EXPECT_EQ(old->closed_reason, "expired");
  EXPECT_EQ(a->stats().visits_expired, 1);
}

// A car that drove in and stays in sight of the gate for longer than anpr.max_visit_hours: its
// entry expires with the others, and when it finally drives out its exit is logged on its own
// rather than closing the expired entry.
TEST_F(PlateAnalyzerTest, AnEntryExpiredWhileItsTrackIsInViewIsNotClosedByItsExit) {
  camera_ = "gate";
  ScriptedReader reader{{"KA01AB1234"}};
  auto a = analyzer(reader, {{"gate", default_counting_line()}});
  for (int i = 0; i < 20; ++i) run(*a, i, {{kCar, at_bottom(300.0f + 10.0f * i)}});  // in
  auto rows = visits();
  ASSERT_EQ(rows.size(), 1u);
  const SystemTime entered = *rows[0].entry_time;
  run(*a, kDay + 100, {{kCar, at_bottom(490)}});  // still there 24 h 10 s later
  rows = visits();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].closed_reason, "expired");
  EXPECT_FALSE(rows[0].exit_time);
  EXPECT_EQ(a->stats().visits_expired, 1);
  for (int i = 0; i < 20; ++i) run(*a, kDay + 101 + i, {{kCar, at_bottom(480.0f - 10.0f * i)}});
  run(*a, kDay + 121, {}, {kCar});
  rows = visits();
  ASSERT_EQ(rows.size(), 2u);
  const auto expired = std::find_if(rows.begin(), rows.end(),
                                    [](const VehicleVisit& v) { return v.entry_time.has_value(); });
  ASSERT_NE(expired, rows.end());
  EXPECT_EQ(expired->entry_time, entered);
  EXPECT_FALSE(expired->exit_time) << "the exit closed the expired entry";
  EXPECT_EQ(expired->closed_reason, "expired");
  const VehicleVisit& exit = rows[expired == rows.begin() ? 1 : 0];
  EXPECT_FALSE(exit.entry_time);
  ASSERT_TRUE(exit.exit_time);
  EXPECT_GT(*exit.exit_time, kT0 + 24h + 10s);
  EXPECT_EQ(exit.plate_number, "KA01AB1234");
  EXPECT_EQ(exit.closed_reason, "");
}

// Holds SQLite's write lock from a connection of its own, as another writer would: the store's
// writes give up after its busy timeout (100 ms here) while reads go on (WAL).
class WriteLock {
 public:
  explicit WriteLock(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  ~WriteLock() {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

 private:
  sqlite3* db_ = nullptr;
};

// The database refuses every write of a visit and the process dies: the writes were spooled,
// and the next start writes them in order, once, and empties the spool; replaying the same
// spool again (its truncation lost in a crash) adds nothing.
TEST_F(PlateAnalyzerTest, RefusedVisitWritesSurviveACrashInTheSpoolAndReplayOnce) {
  const std::string spool = dir_ + "/visits.spool", copy = dir_ + "/copy.spool";
  ScriptedReader reader{{"KA01AB1234"}};
  {
    auto a = analyzer(reader);
    ASSERT_TRUE(a->recover(spool, kT0));
    WriteLock lock(dir_ + "/fai.db");
    drive_car_past(*a);
    EXPECT_EQ(a->stats().writes_pending, 3);  // opened, plate read, exit
    EXPECT_EQ(a->stats().write_failures, 1);  // the later ones wait behind the first
    EXPECT_TRUE(visits().empty());
    EXPECT_GT(std::filesystem::file_size(spool), 0u);
  }  // killed while the database was still refusing
  std::filesystem::copy_file(spool, copy);

  auto b = analyzer(reader);
  ASSERT_TRUE(b->recover(spool, kT0 + 1h));
  EXPECT_EQ(b->stats().writes_pending, 0);
  EXPECT_EQ(std::filesystem::file_size(spool), 0u);
  const auto rows = visits();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].plate_number, "KA01AB1234");
  EXPECT_EQ(rows[0].entry_time, kT0);
  EXPECT_EQ(rows[0].exit_time, kT0 + 2900ms);
  EXPECT_EQ(rows[0].closed_reason, "");  // closed by its own exit, not by the start-up

  auto c = analyzer(reader);
  ASSERT_TRUE(c->recover(copy, kT0 + 1h));
  EXPECT_EQ(visits(), rows);
}

// Without a crash: once the database takes writes again, the next frame writes the waiting
// visit writes in order and empties the spool.
TEST_F(PlateAnalyzerTest, RefusedVisitWritesAreWrittenWhenTheDatabaseIsBack) {
  const std::string spool = dir_ + "/visits.spool";
  ScriptedReader reader{{"KA01AB1234"}};
  auto a = analyzer(reader);
  ASSERT_TRUE(a->recover(spool, kT0));
  {
    WriteLock lock(dir_ + "/fai.db");
    drive_car_past(*a);
  }
  EXPECT_GT(std::filesystem::file_size(spool), 0u);
  run(*a, 31, {});
  EXPECT_EQ(a->stats().writes_pending, 0);
  EXPECT_EQ(std::filesystem::file_size(spool), 0u);
  const auto rows = visits();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].plate_number, "KA01AB1234");
  EXPECT_EQ(rows[0].exit_time, kT0 + 2900ms);
}

// The same frames processed again (a restart that replays them, or a retried write) leave one
// row per visit.
TEST_F(PlateAnalyzerTest, ReplayingAVisitWritesNoSecondRow) {
  for (int pass = 0; pass < 2; ++pass) {
    ScriptedReader reader{{"KA01AB1234"}};
    auto a = analyzer(reader);
    for (int i = 0; i < 30; ++i) run(*a, i, {{kCar, approaching(i)}});
    if (pass == 1) run(*a, 30, {}, {kCar});
  }
  const auto rows = visits();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].exit_time);
  EXPECT_EQ(rows[0].plate_number, "KA01AB1234");
}

// --- the real reader -----------------------------------------------------------------------

cv::Mat render_plate(const std::string& text) {
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, font, 1.6, 4, &baseline);
  cv::Mat plate(size.height + 36, size.width + 40, CV_8UC3, cv::Scalar(235, 235, 235));
  cv::rectangle(plate, cv::Rect(0, 0, plate.cols, plate.rows), cv::Scalar(20, 20, 20), 3);
  cv::putText(plate, text, cv::Point(20, 18 + size.height), font, 1.6, cv::Scalar(15, 15, 15), 4,
              cv::LINE_AA);
  return plate;
}

// A car's rear (body, window, lights, plate) drawn at `scale`, its box in `box`.
cv::Mat car_frame(const cv::Mat& plate, float scale, Box& box) {
  cv::Mat frame(720, 1280, CV_8UC3, cv::Scalar(120, 125, 118));
  const int w = static_cast<int>(560 * scale), h = static_cast<int>(400 * scale);
  const int x = 640 - w / 2, y = 680 - h;
  cv::rectangle(frame, cv::Rect(x, y, w, h), cv::Scalar(60, 40, 140), cv::FILLED);
  cv::rectangle(frame, cv::Rect(x + w / 8, y + h / 10, w * 3 / 4, h / 3), cv::Scalar(50, 40, 30),
                cv::FILLED);
  for (int side : {0, 1}) {
    cv::rectangle(frame,
                  cv::Rect(x + (side ? w - w / 6 - w / 20 : w / 20), y + h / 2, w / 6, h / 8),
                  cv::Scalar(30, 30, 200), cv::FILLED);
  }
  cv::Mat scaled;
  const double plate_scale = 0.9 * scale;
  cv::resize(plate, scaled, cv::Size(), plate_scale, plate_scale, cv::INTER_AREA);
  const cv::Rect where(640 - scaled.cols / 2, y + h * 7 / 10, scaled.cols, scaled.rows);
  scaled.copyTo(frame(where & cv::Rect(0, 0, frame.cols, frame.rows)));
  box = {static_cast<float>(x), static_cast<float>(y), static_cast<float>(x + w),
         static_cast<float>(y + h)};
  return frame;
}

TEST(PlateAnalyzerWithModels, AnApproachingCarIsReadWithAFewOcrCalls) {
  if (!test::models_available()) {
    if (test::models_required()) FAIL() << "models/ missing";
    GTEST_SKIP() << "models/ missing";
  }
  InferenceConfig inference;
  inference.models_dir = test::models_dir();
  auto reader = PlateReader::open(inference, {});
  ASSERT_TRUE(reader) << reader.error().message;
  PlateReadFn read = [&](const cv::Mat& image, const Box& box) {
    return (*reader)->read(image, box);
  };
  AnprConfig anpr;
  PlateAnalyzer a(anpr, read, nullptr, {});
  const std::vector<std::string> plates = {"KA01AB1234", "MH12DE1433", "TN22CZ4567"};
  int read_exactly = 0;
  for (size_t p = 0; p < plates.size(); ++p) {
    const cv::Mat plate = render_plate(plates[p]);
    const int64_t track = static_cast<int64_t>(p + 1);
    std::string final_plate;
    for (int i = 0; i <= 40; ++i) {
      FrameOutcome out;
      out.timestamp = kT0 + std::chrono::milliseconds(100 * i);
      std::vector<int64_t> ended;
      if (i < 40) {
        Box box;
        const cv::Mat image = car_frame(plate, 0.35f + 0.015f * static_cast<float>(i), box);
        out.detections.push_back({box, 0.8f, coco::kCar});
        Track t;
        t.id = track;
        t.box = box;
        t.class_id = coco::kCar;
        t.det_index = 0;
        out.tracks.push_back(t);
        ASSERT_TRUE(a.on_frame({"yard", image, out.timestamp, i + 1, ended}, out));
        if (!out.vehicles_detected.empty() && !out.vehicles_detected[0].plate.empty()) {
          final_plate = out.vehicles_detected[0].plate;
        }
      } else {
        ended.push_back(track);
        const cv::Mat blank(720, 1280, CV_8UC3, cv::Scalar::all(0));
        ASSERT_TRUE(a.on_frame({"yard", blank, out.timestamp, i + 1, ended}, out));
      }
    }
    read_exactly += final_plate == plates[p];
  }
  const PlateAnalyzerStats s = a.stats();
  std::printf(
      "synthetic approaching cars: %d/%zu read, %lld OCR calls over %lld tracks = %.2f "
      "per track\n",
      read_exactly, plates.size(), static_cast<long long>(s.ocr_calls),
      static_cast<long long>(s.tracks), s.ocr_calls_per_track());
  EXPECT_EQ(read_exactly, 3);
  EXPECT_EQ(s.tracks, 3);
  EXPECT_LE(s.ocr_calls_per_track(), anpr.max_ocr_frames);
}

}  // namespace
}  // namespace fai
