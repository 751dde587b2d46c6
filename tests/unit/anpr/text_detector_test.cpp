#include "analytics/anpr/text_detector.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "analytics/anpr/text_recognizer.h"

namespace fai {
namespace {

// A probability map with one confident text line, one faint region and one hairline.
cv::Mat synthetic_map() {
  cv::Mat map(160, 320, CV_32F, cv::Scalar(0.02f));
  map(cv::Rect(40, 60, 160, 30)).setTo(0.9f);   // text line
  map(cv::Rect(240, 20, 60, 20)).setTo(0.45f);  // above the binary threshold, below box score
  map(cv::Rect(20, 140, 200, 2)).setTo(0.9f);   // thinner than min_side_px
  return map;
}

TEST(DbBoxes, KeepsOnlyTheConfidentLineAndUnclipsIt) {
  const DbParams params;
  const auto boxes = db_boxes(synthetic_map(), params);
  ASSERT_EQ(boxes.size(), 1u);
  const TextBox& b = boxes.front();
  EXPECT_NEAR(b.score, 0.9f, 0.01f);
  EXPECT_NEAR(b.rect.center.x, 119.5f, 1.0f);
  EXPECT_NEAR(b.rect.center.y, 74.5f, 1.0f);
  // minAreaRect spans 159 x 29 pixel centres; unclip adds area * 1.5 / perimeter on each side.
  const float distance = 159.0f * 29.0f * 1.5f / (2 * (159.0f + 29.0f));
  EXPECT_NEAR(b.long_side(), 159.0f + 2 * distance, 1.5f);
  EXPECT_NEAR(b.short_side(), 29.0f + 2 * distance, 1.5f);
}

TEST(DbBoxes, EmptyMapGivesNoBoxes) {
  EXPECT_TRUE(db_boxes(cv::Mat(64, 64, CV_32F, cv::Scalar(0.0f)), DbParams{}).empty());
}

TEST(TextBox, CornersRunClockwiseFromTopLeft) {
  const TextBox box{cv::RotatedRect({100, 50}, {80, 20}, 5), 1};
  const auto c = box.corners();
  EXPECT_LT(c[0].x, c[1].x);
  EXPECT_LT(c[1].y, c[2].y);
  EXPECT_GT(c[2].x, c[3].x);
  EXPECT_LT(c[0].y, c[3].y);
}

struct CandidateCase {
  cv::RotatedRect rect;
  bool plate_like;
};

TEST(RankPlateCandidates, Table) {
  const CandidateCase cases[] = {
      {cv::RotatedRect({100, 100}, {120, 30}, 0), true},   // plate line
      {cv::RotatedRect({100, 100}, {30, 40}, 0), false},   // taller than wide
      {cv::RotatedRect({100, 100}, {400, 20}, 0), false},  // banner: aspect 20
      {cv::RotatedRect({100, 100}, {40, 4}, 0), false},    // too thin to read
      {cv::RotatedRect({900, 100}, {120, 30}, 0), false},  // centre outside the region
  };
  const cv::Rect region(0, 0, 640, 480);
  for (const auto& c : cases) {
    const auto ranked = rank_plate_candidates({TextBox{c.rect, 0.9f}}, region);
    EXPECT_EQ(ranked.size(), c.plate_like ? 1u : 0u) << c.rect.size;
  }
}

TEST(RankPlateCandidates, TallerTextFirst) {
  const std::vector<TextBox> boxes = {{cv::RotatedRect({100, 40}, {140, 12}, 0), 0.95f},
                                      {cv::RotatedRect({100, 100}, {140, 36}, 0), 0.8f}};
  const auto ranked = rank_plate_candidates(boxes, cv::Rect(0, 0, 300, 200));
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_FLOAT_EQ(ranked.front().short_side(), 36.0f);
}

TEST(MergeLineFragments, JoinsGroupsOfOneLineOnly) {
  const std::vector<TextBox> boxes = {
      {cv::RotatedRect({60, 50}, {60, 20}, 0), 0.9f},    // "VW"
      {cv::RotatedRect({150, 50}, {100, 20}, 0), 0.8f},  // "4X4WP", 10 px gap
      {cv::RotatedRect({100, 90}, {120, 8}, 0), 0.9f},   // slogan below: another line
      {cv::RotatedRect({300, 50}, {40, 20}, 0), 0.9f},   // far right: 80 px gap
  };
  const auto merged = merge_line_fragments(boxes, 1.0f);
  ASSERT_EQ(merged.size(), 3u);
  const Box line = merged.front().bounds();
  EXPECT_NEAR(line.x1, 30.0f, 0.5f);
  EXPECT_NEAR(line.x2, 200.0f, 0.5f);
  EXPECT_NEAR(merged.front().score, (0.9f * 60 + 0.8f * 100) / 160, 1e-4f);
}

Tensor steps(const std::vector<std::vector<float>>& rows) {
  Tensor t;
  t.shape = {1, static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows.front().size())};
  for (const auto& r : rows) t.data.insert(t.data.end(), r.begin(), r.end());
  return t;
}

TEST(CtcGreedyDecode, MergesRepeatsDropsBlanksAndKeepsConfidence) {
  const std::vector<std::string> vocabulary = {"A", "B", "-"};
  // classes: blank, A, B, -
  const Tensor probs = steps({{0.1f, 0.8f, 0.05f, 0.05f},
                              {0.1f, 0.7f, 0.1f, 0.1f},
                              {0.9f, 0.05f, 0.05f, 0.0f},
                              {0.2f, 0.6f, 0.1f, 0.1f},
                              {0.1f, 0.1f, 0.3f, 0.5f}});
  auto all = ctc_greedy_decode(probs, vocabulary, {});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->text(), "AA-");
  ASSERT_EQ(all->confidences.size(), 3u);
  EXPECT_FLOAT_EQ(all->confidences[0], 0.8f);
  // Centres of each glyph's steps as a fraction of the 5 steps: 0-1, 3, 4.
  ASSERT_EQ(all->centres.size(), 3u);
  EXPECT_FLOAT_EQ(all->centres[0], 0.2f);
  EXPECT_FLOAT_EQ(all->centres[1], 0.7f);
  EXPECT_FLOAT_EQ(all->centres[2], 0.9f);
  auto letters = ctc_greedy_decode(probs, vocabulary, {false, true, true, false});
  ASSERT_TRUE(letters);
  EXPECT_EQ(letters->text(), "AAB");  // '-' may not compete: B wins the last step
}

TEST(CtcGreedyDecode, WrongClassCountIsCorrupt) {
  const Tensor probs = steps({{0.5f, 0.5f}});
  EXPECT_FALSE(ctc_greedy_decode(probs, {"A", "B"}, {}));
}

}  // namespace
}  // namespace fai
