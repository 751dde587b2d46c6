#include "detect/yolo/decode.h"

#include <array>

#include <gtest/gtest.h>

namespace fai {
namespace {

constexpr int kInput = 64;
constexpr int kAnchors = 84;  // 8x8 + 4x4 + 2x2

// A C array, not a vector: GCC 12 reports a false maybe-uninitialized on vectors nested in
// brace-initialised test tables.
struct ClassScore {
  int class_id = -1;
  float score = 0;
};

struct Anchor {
  int index;
  float cx, cy, w, h;
  ClassScore class_scores[2];  // class_id -1 = unused
};

Tensor output_with(const std::vector<Anchor>& anchors, int num_classes = 80) {
  const int rows = 4 + num_classes;
  Tensor t{"output0", {1, rows, kAnchors}, std::vector<float>(rows * kAnchors, 0.0f)};
  auto at = [&](int row, int anchor) -> float& { return t.data[row * kAnchors + anchor]; };
  for (const Anchor& a : anchors) {
    at(0, a.index) = a.cx;
    at(1, a.index) = a.cy;
    at(2, a.index) = a.w;
    at(3, a.index) = a.h;
    for (auto [c, score] : a.class_scores) {
      if (c >= 0) at(4 + c, a.index) = score;
    }
  }
  return t;
}

struct Case {
  const char* name;
  std::vector<Anchor> anchors;
  ScoreFilter filter;
  std::vector<Detection> expected;
  int num_classes = 80;
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class DecodeUltralytics : public ::testing::TestWithParam<Case> {};

TEST_P(DecodeUltralytics, DecodesAnchors) {
  const Case& c = GetParam();
  auto dets = decode_ultralytics(output_with(c.anchors, c.num_classes), kInput, kInput, c.filter);
  ASSERT_TRUE(dets.ok()) << dets.error().message;
  ASSERT_EQ(dets->size(), c.expected.size());
  for (size_t i = 0; i < c.expected.size(); ++i) {
    EXPECT_EQ((*dets)[i].class_id, c.expected[i].class_id);
    EXPECT_FLOAT_EQ((*dets)[i].score, c.expected[i].score);
    EXPECT_EQ((*dets)[i].box, c.expected[i].box);
  }
}

const ScoreFilter kAll{0.25f, {}};

const std::vector<Case>& ultralytics_cases() {
  static const std::vector<Case> cases = {
      Case{"one_box", {{5, 20, 30, 10, 20, {{2, 0.8f}}}}, kAll, {{{15, 20, 25, 40}, 0.8f, 2}}},
      Case{"best_class_only",
           {{0, 20, 30, 10, 20, {{2, 0.5f}, {7, 0.7f}}}},
           kAll,
           {{{15, 20, 25, 40}, 0.7f, 7}}},
      Case{"best_class_not_kept_drops_anchor",
           {{0, 20, 30, 10, 20, {{16, 0.9f}, {2, 0.5f}}}},
           ScoreFilter{0.25f, {2}},
           {}},
      Case{"below_threshold", {{0, 20, 30, 10, 20, {{2, 0.2f}}}}, kAll, {}},
      Case{"clipped_to_input",
           {{83, 60, 2, 20, 10, {{0, 0.9f}}}},
           kAll,
           {{{50, 0, 64, 7}, 0.9f, 0}}},
      Case{"anchors_in_order",
           {{1, 10, 10, 4, 4, {{0, 0.3f}}}, {80, 40, 40, 8, 8, {{1, 0.9f}}}},
           kAll,
           {{{8, 8, 12, 12}, 0.3f, 0}, {{36, 36, 44, 44}, 0.9f, 1}}},
      Case{"custom_class_count",
           {{3, 20, 30, 10, 20, {{1, 0.6f}}}},
           kAll,
           {{{15, 20, 25, 40}, 0.6f, 1}},
           2}};
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Cases, DecodeUltralytics, ::testing::ValuesIn(ultralytics_cases()),
                         [](const auto& test) { return std::string(test.param.name); });

TEST(UltralyticsAnchorCount, SumsTheThreeStrideGrids) {
  struct Case {
    int w, h;
    int64_t anchors;
  };
  for (const Case& c :
       {Case{640, 640, 8400}, Case{320, 320, 2100}, Case{64, 64, 84}, Case{640, 384, 5040}}) {
    EXPECT_EQ(ultralytics_anchor_count(c.w, c.h), c.anchors) << c.w << "x" << c.h;
  }
}

TEST(DecodeUltralyticsShapes, MismatchIsCorrupt) {
  const Tensor made_for_64px{"out", {1, kAnchors, 84}, std::vector<float>(84 * kAnchors)};
  const Tensor rank2{"out", {84, kAnchors}, std::vector<float>(84 * kAnchors)};
  const Tensor no_classes{"out", {1, 4, kAnchors}, std::vector<float>(4 * kAnchors)};
  const Tensor inconsistent{"out", {1, 84, kAnchors}, std::vector<float>(10)};
  for (const Tensor& t : {rank2, no_classes, inconsistent}) {
    auto dets = decode_ultralytics(t, kInput, kInput, kAll);
    ASSERT_FALSE(dets.ok());
    EXPECT_EQ(dets.error().code, ErrorCode::kCorrupt);
  }
  auto wrong_size = decode_ultralytics(made_for_64px, 640, 640, kAll);
  ASSERT_FALSE(wrong_size.ok());
  EXPECT_EQ(wrong_size.error().code, ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace fai
