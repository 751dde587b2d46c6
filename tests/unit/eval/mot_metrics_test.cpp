#include <gtest/gtest.h>

#include "eval/mot_metrics.h"

namespace fai {
namespace {

const Box kA{0, 0, 10, 10};
const Box kB{100, 0, 110, 10};

// One sequence: per frame the ground truth and the predictions, and the hand-computed tallies.
struct Case {
  const char* name;
  std::vector<std::pair<std::vector<MotObject>, std::vector<MotObject>>> frames;
  int64_t matches, false_positives, false_negatives, id_switches, id_true_positives;
  double mota, idf1;
};

const std::vector<Case> kCases = {
    {"perfect, other id numbers",
     {{{{1, kA}, {2, kB}}, {{7, kA}, {9, kB}}}, {{{1, kA}, {2, kB}}, {{7, kA}, {9, kB}}}},
     4,
     0,
     0,
     0,
     4,
     1.0,
     1.0},
    {"one switch halfway",
     {{{{1, kA}}, {{10, kA}}},
      {{{1, kA}}, {{10, kA}}},
      {{{1, kA}}, {{11, kA}}},
      {{{1, kA}}, {{11, kA}}}},
     4,
     0,
     0,
     1,
     2,
     0.75,
     0.5},
    {"last frame's pair is kept over a better newcomer",
     {{{{1, kA}}, {{10, kA}}}, {{{1, kA}}, {{10, {0, 0, 10, 18}}, {11, kA}}}},
     2,
     1,
     0,
     0,
     2,
     0.5,
     0.8},
    {"IoU 0.5 matches, IoU 1/3 does not",
     {{{{1, kA}}, {{10, {0, 0, 10, 20}}}}, {{{1, kA}}, {{10, {5, 0, 15, 10}}}}},
     1,
     1,
     1,
     0,
     1,
     0.0,
     0.5},
    {"a switch across a gap still counts",
     {{{{1, kA}}, {{10, kA}}}, {{{1, kA}}, {}}, {{{1, kA}}, {{11, kA}}}},
     2,
     0,
     1,
     1,
     1,
     1.0 - 2.0 / 3.0,
     0.4},
    {"two truth ids whose last match was the same prediction",
     {{{{1, kA}}, {{10, kA}}}, {{{2, kA}}, {{10, kA}}}, {{{1, kA}, {2, kA}}, {{10, kA}}}},
     3,
     0,
     1,
     0,
     2,
     0.75,
     4.0 / 7.0},
    {"per-frame matching maximises matches, not greedy IoU",
     {{{{1, {0, 0, 10, 10}}, {2, {3, 0, 13, 10}}}, {{10, {1, 0, 11, 10}}, {11, {-2, 0, 8, 10}}}}},
     2,
     0,
     0,
     0,
     2,
     1.0,
     1.0},
};

TEST(MotAccumulator, HandComputedSequences) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    MotAccumulator acc;
    for (const auto& [truth, predicted] : c.frames) acc.add_frame(truth, predicted);
    const MotMetrics m = acc.summary();
    EXPECT_EQ(m.matches, c.matches);
    EXPECT_EQ(m.false_positives, c.false_positives);
    EXPECT_EQ(m.false_negatives, c.false_negatives);
    EXPECT_EQ(m.id_switches, c.id_switches);
    EXPECT_EQ(m.id_true_positives, c.id_true_positives);
    EXPECT_NEAR(m.mota(), c.mota, 1e-12);
    EXPECT_NEAR(m.idf1(), c.idf1, 1e-12);
  }
}

TEST(MotAccumulator, IdF1UsesOneGlobalPairPerId) {
  // Truth 1 is predicted as 10 for 3 frames then as 11 for 1; truth 2 as 11 for 2 frames.
  // Pairing 1-10 and 2-11 shares 5 boxes; 1-11 would share fewer.
  MotAccumulator acc;
  for (int f = 0; f < 3; ++f) acc.add_frame({{1, kA}}, {{10, kA}});
  acc.add_frame({{1, kA}, {2, kB}}, {{11, kA}, {12, kB}});
  acc.add_frame({{2, kB}}, {{11, kB}});
  acc.add_frame({{2, kB}}, {{11, kB}});
  const MotMetrics m = acc.summary();
  EXPECT_EQ(m.id_true_positives, 5);
  EXPECT_NEAR(m.idf1(), 2.0 * 5 / (7 + 7), 1e-12);
}

TEST(ParseMotBoxes, ReadsFramesAndSkipsIgnoredBoxes) {
  auto frames =
      parse_mot_boxes("1,1,399,182,121,229,-1\n\n1,2,10,20,30,40,0,1,1\n2,1,400.5,183,120,229\n");
  ASSERT_TRUE(frames.ok()) << frames.error().message;
  ASSERT_EQ(frames->size(), 2u);
  ASSERT_EQ(frames->at(1).size(), 1u) << "conf 0 = not evaluated";
  EXPECT_EQ(frames->at(1)[0].id, 1);
  EXPECT_EQ(frames->at(1)[0].box, (Box{399, 182, 520, 411}));
  EXPECT_FLOAT_EQ(frames->at(2)[0].box.x1, 400.5f);
}

TEST(ParseMotBoxes, RejectsMalformedLinesWithTheLineNumber) {
  for (const char* text : {"1,1,2,3,4\n", "1,1,2,3,4,x\n", "1,1,2,3,4,5\n1,,2,3,4,5\n"}) {
    auto frames = parse_mot_boxes(text);
    ASSERT_FALSE(frames.ok()) << text;
    EXPECT_EQ(frames.error().code, ErrorCode::kCorrupt);
    EXPECT_NE(frames.error().message.find("line "), std::string::npos);
  }
}

}  // namespace
}  // namespace fai
