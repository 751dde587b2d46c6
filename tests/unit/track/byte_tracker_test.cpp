#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "track/byte_tracker.h"

namespace fai {
namespace {

using nlohmann::json;

const std::string kGoldenDir = FAI_SOURCE_DIR "/tests/unit/track/golden/";

json read_json(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

Box box_of(const json& b) {
  return {b[0].get<float>(), b[1].get<float>(), b[2].get<float>(), b[3].get<float>()};
}

double centi(float v) {
  return std::round(v * 100.0) / 100.0;
}

json track_json(const Track& t) {
  return {{"id", t.id},
          {"class_id", t.class_id},
          {"det_index", t.det_index},
          {"hits", t.hits},
          {"box", {centi(t.box.x1), centi(t.box.y1), centi(t.box.x2), centi(t.box.y2)}}};
}

struct ScenarioRun {
  json output;                                      // the golden file's shape
  std::map<std::string, std::set<int64_t>> ids_of;  // scripted identity -> track ids given
  std::map<int64_t, std::set<int64_t>> frames_of;   // track id -> frames it was output
};

ScenarioRun run_scenario(const json& scenario) {
  Tracker tracker;
  ScenarioRun run;
  run.output["frames"] = json::array();
  for (const json& frame : scenario["frames"]) {
    std::vector<Detection> dets;
    std::vector<std::string> truth;
    for (const json& d : frame["detections"]) {
      dets.push_back({box_of(d["box"]), d["score"].get<float>(), d["class_id"].get<int>()});
      truth.push_back(d["truth"].get<std::string>());
    }
    const int64_t seq = frame["frame"].get<int64_t>();
    json tracks = json::array();
    for (const Track& t : tracker.update(dets, seq)) {
      EXPECT_GE(t.det_index, 0) << "an output track is matched this frame";
      run.ids_of[truth.at(t.det_index)].insert(t.id);
      run.frames_of[t.id].insert(seq);
      tracks.push_back(track_json(t));
    }
    run.output["frames"].push_back(
        {{"frame", seq}, {"tracks", tracks}, {"ended", tracker.ended_track_ids()}});
  }
  return run;
}

void expect_same_frames(const json& got, const json& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t f = 0; f < want.size(); ++f) {
    SCOPED_TRACE(testing::Message() << "frame " << want[f]["frame"]);
    EXPECT_EQ(got[f]["ended"], want[f]["ended"]);
    const json& gt = got[f]["tracks"];
    const json& wt = want[f]["tracks"];
    ASSERT_EQ(gt.size(), wt.size());
    for (size_t i = 0; i < wt.size(); ++i) {
      for (const char* key : {"id", "class_id", "det_index", "hits"})
        EXPECT_EQ(gt[i][key], wt[i][key]) << key;
      for (int k = 0; k < 4; ++k)
        EXPECT_NEAR(gt[i]["box"][k].get<double>(), wt[i]["box"][k].get<double>(), 0.01);
    }
  }
}

// Golden: scenario.json (from make_scenario.py) in, the track ids per frame out. After a
// reviewed change of behaviour, regenerate with FAI_UPDATE_GOLDEN=1.
TEST(TrackerGolden, ScriptedScenario) {
  const json scenario = read_json(kGoldenDir + "scenario.json");
  ASSERT_FALSE(scenario.is_discarded());
  const ScenarioRun run = run_scenario(scenario);

  // What the script promises, independent of the golden file.
  for (const char* who : {"A", "B", "C", "car"}) {
    EXPECT_EQ(run.ids_of.count(who) ? run.ids_of.at(who).size() : 0u, 1u) << who << " keeps one id";
  }
  EXPECT_EQ(run.ids_of.count("false_positive"), 0u);
  EXPECT_EQ(run.ids_of.count("clutter"), 0u);
  EXPECT_NE(*run.ids_of.at("car").begin(), *run.ids_of.at("C").begin())
      << "a car never takes over a person's track";
  const int64_t a = *run.ids_of.at("A").begin();
  for (int64_t f : {30, 31, 32}) {
    EXPECT_TRUE(run.frames_of.at(a).count(f)) << "low-score boxes keep A tracked at frame " << f;
  }
  const int64_t b = *run.ids_of.at("B").begin();
  EXPECT_FALSE(run.frames_of.at(b).count(21)) << "B is hidden, not output";
  EXPECT_TRUE(run.frames_of.at(b).count(24)) << "B recovered after the occlusion";

  const std::string golden_path = kGoldenDir + "scenario_tracks.json";
  if (std::getenv("FAI_UPDATE_GOLDEN")) {
    std::ofstream out(golden_path);
    out << "{\"frames\": [";  // one frame per line keeps the file reviewable in a diff
    for (size_t i = 0; i < run.output["frames"].size(); ++i) {
      out << (i ? ",\n " : "\n ") << run.output["frames"][i].dump();
    }
    out << "\n]}\n";
    GTEST_SKIP() << "wrote " << golden_path;
  }
  const json golden = read_json(golden_path);
  ASSERT_FALSE(golden.is_discarded());
  expect_same_frames(run.output["frames"], golden["frames"]);
}

Detection person(float x1, float score = 0.9f, int class_id = coco::kPerson) {
  return {{x1, 100, x1 + 40, 200}, score, class_id};
}

TEST(Tracker, FirstFrameConfirmsAtOnceLaterTracksNeedASecondSighting) {
  Tracker tracker;
  EXPECT_EQ(tracker.update({person(0)}, 1).size(), 1u);
  EXPECT_EQ(tracker.update({person(2), person(300)}, 2).size(), 1u);
  const auto tracks = tracker.update({person(4), person(302)}, 3);
  ASSERT_EQ(tracks.size(), 2u);
  EXPECT_EQ(tracks[1].id, 2);
  EXPECT_EQ(tracks[1].hits, 2);
  EXPECT_EQ(tracks[1].first_frame, 2);
}

TEST(Tracker, ClassGroupsDecideWhoMayMatch) {
  struct Case {
    const char* name;
    int first_class, second_class;
    std::vector<std::vector<int>> groups;
    bool same_track;
  };
  const std::vector<Case> cases = {
      {"car seen as truck", coco::kCar, coco::kTruck, {{coco::kCar, coco::kTruck}}, true},
      {"no groups: car and truck differ", coco::kCar, coco::kTruck, {}, false},
      {"person never a car", coco::kPerson, coco::kCar, {{coco::kCar, coco::kTruck}}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TrackerConfig config;
    config.class_groups = c.groups;
    Tracker tracker(config);
    const auto first = tracker.update({person(0, 0.9f, c.first_class)}, 1);
    const auto second = tracker.update({person(1, 0.8f, c.second_class)}, 2);
    EXPECT_EQ(second.size(), c.same_track ? 1u : 0u);
    if (c.same_track) {
      EXPECT_EQ(second[0].id, first[0].id);
      EXPECT_EQ(second[0].class_id, c.first_class) << "the better-scored vote keeps the class";
    }
  }
}

TEST(Tracker, LostTrackEndsAfterTheBufferAndIsReported) {
  TrackerConfig config;
  config.lost_track_buffer_frames = 5;
  Tracker tracker(config);
  tracker.update({person(0)}, 1);
  for (int64_t seq = 2; seq <= 6; ++seq) {
    EXPECT_TRUE(tracker.update({}, seq).empty());
    EXPECT_TRUE(tracker.ended_track_ids().empty()) << seq;
  }
  tracker.update({}, 7);  // 6 frames since the last sighting > 5
  EXPECT_EQ(tracker.ended_track_ids(), std::vector<int64_t>{1});
  tracker.update({}, 8);
  EXPECT_TRUE(tracker.ended_track_ids().empty());
}

TEST(Tracker, LostTrackComesBackWithItsId) {
  Tracker tracker;
  tracker.update({person(0)}, 1);
  tracker.update({person(3)}, 2);
  tracker.update({}, 3);
  tracker.update({}, 4);
  const auto tracks = tracker.update({person(12)}, 5);
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].id, 1);
  EXPECT_EQ(tracks[0].hits, 3);
}

TEST(Tracker, LowScoreBoxesNeitherStartNorReviveTracks) {
  Tracker tracker;
  EXPECT_TRUE(tracker.update({person(0, 0.3f)}, 1).empty());
  tracker.update({person(100)}, 2);
  tracker.update({person(100)}, 3);
  EXPECT_EQ(tracker.update({person(100, 0.3f)}, 4).size(), 1u) << "kept by a low-score box";
  EXPECT_TRUE(tracker.update({}, 5).empty());
  EXPECT_TRUE(tracker.update({person(100, 0.3f)}, 6).empty()) << "a lost track needs a good box";
}

TEST(Tracker, BufferScalesWithFrameRate) {
  TrackerConfig config;
  EXPECT_EQ(lost_track_max_frames(config), 30);
  config.frame_rate_fps = 15;
  EXPECT_EQ(lost_track_max_frames(config), 15);
}

}  // namespace
}  // namespace fai
