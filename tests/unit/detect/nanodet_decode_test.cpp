#include "detect/nanodet/decode.h"

#include <array>

#include <gtest/gtest.h>

namespace fai {
namespace {

// A 64x64 input: stride 8, 16 and 32 grids of 8x8, 4x4 and 2x2 cells, 84 in all.
constexpr int kInput = 64;
constexpr int kCells = 84;
constexpr int kClasses = 80;
constexpr int kBins = 11;

// A C array, not a vector: GCC 12 reports a false maybe-uninitialized on vectors nested in
// brace-initialised test tables.
struct ClassScore {
  int class_id = -1;
  float score = 0;
};

struct HotCell {
  int stride, x, y;
  ClassScore class_scores[2];  // class_id -1 = unused
  std::array<int, 4> bin;  // left, top, right, bottom: the one hot bin, or -1 for bins 0+1 equal
};

int cell_index(int stride, int x, int y) {
  int offset = 0;
  for (int s : {8, 16, 32}) {
    const int side = kInput / s;
    if (s == stride) return offset + y * side + x;
    offset += side * side;
  }
  return -1;
}

struct Heads {
  Tensor cls{"cls", {1, kCells, kClasses}, std::vector<float>(kCells* kClasses, 0.0f)};
  Tensor reg{"reg", {1, kCells, 4 * kBins}, std::vector<float>(kCells * 4 * kBins, 0.0f)};
};

Heads heads_with(const HotCell& hot) {
  Heads h;
  const int cell = cell_index(hot.stride, hot.x, hot.y);
  for (auto [c, score] : hot.class_scores) {
    if (c >= 0) h.cls.data[cell * kClasses + c] = score;
  }
  for (int side = 0; side < 4; ++side) {
    float* bins = h.reg.data.data() + cell * 4 * kBins + side * kBins;
    std::fill(bins, bins + kBins, -100.0f);  // softmax ~0 everywhere but the chosen bins
    if (hot.bin[side] >= 0) {
      bins[hot.bin[side]] = 0;
    } else {
      bins[0] = bins[1] = 0;
    }
  }
  return h;
}

struct Case {
  const char* name;
  HotCell hot;
  float center_offset;
  ScoreFilter filter;
  std::vector<Detection> expected;
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

class DecodeNanoDet : public ::testing::TestWithParam<Case> {};

TEST_P(DecodeNanoDet, DecodesTheHotCell) {
  const Case& c = GetParam();
  const Heads h = heads_with(c.hot);
  NanoDetParams params;
  params.center_offset = c.center_offset;
  params.filter = c.filter;
  auto dets = decode_nanodet(h.cls, h.reg, kInput, kInput, params);
  ASSERT_TRUE(dets.ok()) << dets.error().message;
  ASSERT_EQ(dets->size(), c.expected.size());
  for (size_t i = 0; i < c.expected.size(); ++i) {
    const Detection& got = (*dets)[i];
    const Detection& want = c.expected[i];
    EXPECT_EQ(got.class_id, want.class_id);
    EXPECT_FLOAT_EQ(got.score, want.score);
    EXPECT_NEAR(got.box.x1, want.box.x1, 1e-3f);
    EXPECT_NEAR(got.box.y1, want.box.y1, 1e-3f);
    EXPECT_NEAR(got.box.x2, want.box.x2, 1e-3f);
    EXPECT_NEAR(got.box.y2, want.box.y2, 1e-3f);
  }
}

const ScoreFilter kAll{0.35f, {}};

// Stride 8 cell (2,3): centre (20,28) with offset 0.5, (16,24) with offset 0.
// Bins 2,1,3,0 put the sides 16, 8, 24 and 0 pixels from the centre.
const std::vector<Case>& nanodet_cases() {
  static const std::vector<Case> cases = {
      Case{"centre_offset_half",
           {8, 2, 3, {{0, 0.9f}}, {2, 1, 3, 0}},
           0.5f,
           kAll,
           {{{4, 20, 44, 28}, 0.9f, 0}}},
      Case{"centre_offset_zero",
           {8, 2, 3, {{0, 0.9f}}, {2, 1, 3, 0}},
           0.0f,
           kAll,
           {{{0, 16, 40, 24}, 0.9f, 0}}},
      Case{"expectation_between_bins",
           {32, 1, 0, {{7, 0.6f}}, {-1, -1, -1, -1}},
           0.5f,
           kAll,
           {{{32, 0, 64, 32}, 0.6f, 7}}},
      Case{"clipped_to_input",
           {16, 3, 3, {{2, 0.5f}}, {10, 10, 10, 10}},
           0.5f,
           kAll,
           {{{0, 0, 64, 64}, 0.5f, 2}}},
      Case{"multi_label",
           {8, 0, 0, {{2, 0.7f}, {7, 0.6f}}, {0, 0, 1, 1}},
           0.5f,
           kAll,
           {{{4, 4, 12, 12}, 0.7f, 2}, {{4, 4, 12, 12}, 0.6f, 7}}},
      Case{"below_threshold", {8, 0, 0, {{2, 0.3f}}, {0, 0, 1, 1}}, 0.5f, kAll, {}},
      Case{"class_not_kept",
           {8, 0, 0, {{16, 0.9f}, {2, 0.5f}}, {0, 0, 1, 1}},
           0.5f,
           ScoreFilter{0.35f, {0, 2}},
           {{{4, 4, 12, 12}, 0.5f, 2}}}};
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Cases, DecodeNanoDet, ::testing::ValuesIn(nanodet_cases()),
                         [](const auto& test) { return std::string(test.param.name); });

TEST(DecodeNanoDetShapes, MismatchIsCorrupt) {
  const Heads h = heads_with({8, 0, 0, {}, {0, 0, 0, 0}});
  const Tensor short_cls{
      "cls", {1, kCells - 1, kClasses}, std::vector<float>((kCells - 1) * kClasses)};
  const Tensor wrong_bins{"reg", {1, kCells, 4 * 8}, std::vector<float>(kCells * 32)};
  struct Shapes {
    const Tensor& cls;
    const Tensor& reg;
    int input;
  };
  for (const Shapes& s : {Shapes{short_cls, h.reg, kInput}, Shapes{h.cls, wrong_bins, kInput},
                          Shapes{h.cls, h.reg, 416}}) {
    auto dets = decode_nanodet(s.cls, s.reg, s.input, s.input, NanoDetParams{});
    ASSERT_FALSE(dets.ok());
    EXPECT_EQ(dets.error().code, ErrorCode::kCorrupt);
  }
}

TEST(SelectNanoDetOutputs, FindsHeadsByShapeInAnyOrder) {
  const Heads h = heads_with({8, 0, 0, {}, {0, 0, 0, 0}});
  for (const auto& outputs :
       {std::vector<Tensor>{h.cls, h.reg}, std::vector<Tensor>{h.reg, h.cls}}) {
    auto heads = select_nanodet_outputs(outputs, 10);
    ASSERT_TRUE(heads.ok()) << heads.error().message;
    EXPECT_EQ(heads->cls->name, "cls");
    EXPECT_EQ(heads->reg->name, "reg");
  }
  for (const auto& outputs : {std::vector<Tensor>{h.cls}, std::vector<Tensor>{h.reg, h.reg},
                              std::vector<Tensor>{h.cls, h.cls, h.reg}}) {
    auto heads = select_nanodet_outputs(outputs, 10);
    ASSERT_FALSE(heads.ok());
    EXPECT_EQ(heads.error().code, ErrorCode::kCorrupt);
  }
}

}  // namespace
}  // namespace fai
