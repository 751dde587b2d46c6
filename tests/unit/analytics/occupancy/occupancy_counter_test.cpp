#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analytics/occupancy/occupancy_counter.h"

namespace fai {
namespace {

constexpr auto kIn = CrossingDirection::kIn;
constexpr auto kOut = CrossingDirection::kOut;

// One track seen at an anchor (bottom centre of its box) in one frame.
struct Seen {
  int64_t track_id;
  float x, y;
  int class_id = coco::kPerson;
};

struct Counted {
  int frame;  // index into the case's frames
  int64_t track_id;
  std::string line_id;
  CrossingDirection direction;
  bool operator==(const Counted&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Counted& c) {
  return os << "{frame " << c.frame << ", track " << c.track_id << ", " << c.line_id << ", "
            << (c.direction == kIn ? "in" : "out") << "}";
}

// A track at the anchor (x, y): a 20x60 box whose bottom centre is the anchor.
void add(const Seen& s, std::vector<Track>& tracks, std::vector<Detection>& dets) {
  dets.push_back({{s.x - 10, s.y - 60, s.x + 10, s.y}, 0.9f, s.class_id});
  Track t;
  t.id = s.track_id;
  t.class_id = s.class_id;
  t.box = dets.back().box;
  t.det_index = static_cast<int>(dets.size()) - 1;
  tracks.push_back(t);
}

// Frames where a single track walks through the given y values at x = 320.
std::vector<std::vector<Seen>> walk_y(int64_t track_id, const std::vector<float>& ys,
                                      float x = 320) {
  std::vector<std::vector<Seen>> frames;
  for (float y : ys) frames.push_back({{track_id, x, y}});
  return frames;
}

CountingLine door() {  // a 100 px door at y = 300; walking down through it is an entry
  return {.id = "door", .start = {100, 300}, .end = {200, 300}, .in_side = LineSide::kRight};
}
CountingLine vertical(const std::string& id, float x) {  // walking right is an entry
  return {
      .id = id, .start = {x, 480}, .end = {x, 0}, .in_side = LineSide::kRight, .infinite = true};
}

struct Case {
  const char* name;
  OccupancyConfig config;
  std::vector<std::vector<Seen>> frames;
  std::vector<Counted> expected;
  OccupancyCounts camera;
};

std::vector<Case> cases() {
  const OccupancyConfig seed;  // default line y = 400, 3 frames, people only
  OccupancyConfig immediate;
  immediate.min_frames_on_new_side = 1;
  OccupancyConfig door_only;
  door_only.lines = {door()};
  door_only.min_frames_on_new_side = 1;
  OccupancyConfig two_lines;
  two_lines.lines = {default_counting_line(), vertical("x320", 320)};
  two_lines.min_frames_on_new_side = 2;
  return {
      {"default line: walking down is an entry after 3 frames",
       seed,
       walk_y(1, {380, 390, 405, 410, 420, 430}),
       {{4, 1, "default", kIn}},
       {1, 1, 0}},
      {"jitter on the line never counts",
       seed,
       walk_y(1, {398, 402, 398, 402, 401, 398, 402, 403, 399}),
       {},
       {0, 0, 0}},
      {"U-turn before confirmation does not count",
       seed,
       walk_y(1, {390, 405, 410, 395, 390, 385}),
       {},
       {0, 0, 0}},
      {"in then out, each once confirmed",
       seed,
       walk_y(1, {390, 405, 410, 415, 395, 390, 385, 380}),
       {{3, 1, "default", kIn}, {6, 1, "default", kOut}},
       {0, 1, 1}},
      {"slow crossing standing on the line counts once",
       seed,
       walk_y(1, {395, 399, 400, 399, 400, 401, 402, 403, 404}),
       {{6, 1, "default", kIn}},
       {1, 1, 0}},
      {"on the line is the entry side (seed: y >= 400)",
       immediate,
       walk_y(1, {399, 400}),
       {{1, 1, "default", kIn}},
       {1, 1, 0}},
      {"occupancy never goes below 0",
       immediate,
       walk_y(1, {410, 390, 410}),
       {{1, 1, "default", kOut}, {2, 1, "default", kIn}},
       {1, 1, 1}},
      {"only people count by default",
       immediate,
       {{{1, 320, 390, coco::kCar}}, {{1, 320, 410, coco::kCar}}},
       {},
       {0, 0, 0}},
      {"door: through the segment counts",
       door_only,
       walk_y(1, {280, 320}, 150),
       {{1, 1, "door", kIn}},
       {1, 1, 0}},
      {"door: beside the segment does not count",
       door_only,
       walk_y(1, {280, 320}, 400),
       {},
       {0, 0, 0}},
      {"door: out beside it, back in through it",
       door_only,
       {{{1, 400, 320}}, {{1, 400, 280}}, {{1, 150, 280}}, {{1, 150, 320}}},
       {{3, 1, "door", kIn}},
       {1, 1, 0}},
      {"door: a diagonal step through the end point counts",
       door_only,
       {{{1, 190, 290}}, {{1, 210, 310}}},
       {{1, 1, "door", kIn}},
       {1, 1, 0}},
      {"two lines, two tracks",
       two_lines,
       {{{1, 300, 390}, {2, 340, 100}},
        {{1, 330, 410}, {2, 310, 100}},
        {{1, 340, 420}, {2, 300, 100}}},
       {{2, 1, "default", kIn}, {2, 1, "x320", kIn}, {2, 2, "x320", kOut}},
       {1, 2, 1}},
  };
}

TEST(OccupancyCounter, LineHysteresisTable) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    auto counter = OccupancyCounter::create(c.config);
    ASSERT_TRUE(counter.ok()) << counter.error().message;
    std::vector<Counted> got;
    OccupancyFrame last;
    for (int f = 0; f < static_cast<int>(c.frames.size()); ++f) {
      std::vector<Track> tracks;
      std::vector<Detection> dets;
      for (const Seen& s : c.frames[f]) add(s, tracks, dets);
      last = counter->on_frame(tracks, dets);
      for (const TrackCrossing& tc : last.crossings) {
        got.push_back({f, tc.track_id, tc.crossing.line_id, tc.crossing.direction});
        EXPECT_EQ(tc.crossing.class_id, coco::kPerson);
      }
    }
    EXPECT_EQ(got, c.expected);
    EXPECT_EQ(last.camera.occupancy, c.camera.occupancy);
    EXPECT_EQ(last.camera.entries, c.camera.entries);
    EXPECT_EQ(last.camera.exits, c.camera.exits);
  }
}

OccupancyFrame step(OccupancyCounter& counter, const std::vector<Seen>& seen) {
  std::vector<Track> tracks;
  std::vector<Detection> dets;
  for (const Seen& s : seen) add(s, tracks, dets);
  return counter.on_frame(tracks, dets);
}

TEST(OccupancyCounter, PerLineCountsFollowConfigOrder) {
  OccupancyConfig config;
  config.lines = {vertical("left", 100), vertical("right", 500)};
  config.min_frames_on_new_side = 1;
  auto counter = OccupancyCounter::create(config);
  ASSERT_TRUE(counter.ok());
  step(*counter, {{1, 90, 200}});
  const OccupancyFrame f = step(*counter, {{1, 110, 200}});
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.lines[0].line_id, "left");
  EXPECT_EQ(f.lines[0].counts.entries, 1);
  EXPECT_EQ(f.lines[1].line_id, "right");
  EXPECT_EQ(f.lines[1].counts.entries, 0);
}

TEST(OccupancyCounter, RestoreContinuesFromStoredCounters) {
  OccupancyConfig config;
  config.min_frames_on_new_side = 1;
  auto counter = OccupancyCounter::create(config);
  ASSERT_TRUE(counter.ok());
  ASSERT_TRUE(counter
                  ->restore({.occupancy = 5, .entries = 10, .exits = 5},
                            {{"default", {.occupancy = 2, .entries = 3, .exits = 1}}})
                  .ok());
  step(*counter, {{1, 320, 410}});
  const OccupancyFrame f = step(*counter, {{1, 320, 390}});
  EXPECT_EQ(f.camera.occupancy, 4);
  EXPECT_EQ(f.camera.entries, 10);
  EXPECT_EQ(f.camera.exits, 6);
  EXPECT_EQ(f.lines[0].counts.occupancy, 1);
  EXPECT_EQ(f.lines[0].counts.exits, 2);
}

TEST(OccupancyCounter, RestoreRejectsBadInputAndChangesNothing) {
  auto counter = OccupancyCounter::create({});
  ASSERT_TRUE(counter.ok());
  EXPECT_FALSE(counter->restore({.occupancy = -1}).ok());
  EXPECT_FALSE(counter->restore({.entries = 4}, {{"nope", {}}}).ok());
  EXPECT_FALSE(counter->restore({.entries = 4}, {{"default", {.exits = -2}}}).ok());
  EXPECT_EQ(counter->camera_counts().entries, 0);
}

TEST(OccupancyCounter, TrackEndErasesItsState) {
  auto counter = OccupancyCounter::create({});
  ASSERT_TRUE(counter.ok());
  step(*counter, {{1, 320, 390}, {2, 100, 100}});
  step(*counter, {{1, 320, 410}});  // pending: one frame on the new side
  EXPECT_EQ(counter->tracks_with_state(), 2u);
  counter->on_track_end(1);
  counter->on_track_end(2);
  EXPECT_EQ(counter->tracks_with_state(), 0u);
}

TEST(OccupancyCounter, CoastingTracksDoNotMove) {
  OccupancyConfig config;
  config.min_frames_on_new_side = 1;
  auto counter = OccupancyCounter::create(config);
  ASSERT_TRUE(counter.ok());
  step(*counter, {{1, 320, 390}});
  Track coasting;
  coasting.id = 1;
  coasting.class_id = coco::kPerson;
  coasting.box = {310, 350, 330, 410};  // a Kalman guess past the line
  EXPECT_TRUE(counter->on_frame({coasting}, {}).crossings.empty());
}

TEST(OccupancyCounter, CreateReportsEveryConfigProblem) {
  OccupancyConfig config;
  config.min_frames_on_new_side = 0;
  config.lines = {door(), door(), {.id = "", .start = {5, 5}, .end = {5, 5}}};
  auto counter = OccupancyCounter::create(config);
  ASSERT_FALSE(counter.ok());
  const std::string& message = counter.error().message;
  for (const char* part : {"min_frames_on_new_side", "duplicate", "no id", "zero length"}) {
    EXPECT_NE(message.find(part), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace fai
