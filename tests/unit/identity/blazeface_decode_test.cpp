#include "analytics/identity/blazeface_decode.h"

#include <gtest/gtest.h>

namespace fai {
namespace {

constexpr int kInput = 256;
constexpr int kAnchors = 896;
constexpr float kNoFaceLogit = -10;

struct Outputs {
  Tensor boxes{"boxes", {1, kAnchors, 16}, std::vector<float>(kAnchors * 16, 0.0f)};
  Tensor logits{"logits", {1, kAnchors, 1}, std::vector<float>(kAnchors, kNoFaceLogit)};

  // A face of size w x h centred `shift` away from anchor `i`, keypoints 1..6 px right of centre.
  void set(int i, float logit, cv::Point2f shift, float w, float h) {
    logits.data[i] = logit;
    float* v = boxes.data.data() + i * 16;
    v[0] = shift.x, v[1] = shift.y, v[2] = w, v[3] = h;
    for (int k = 0; k < kFaceKeypoints; ++k) {
      v[4 + 2 * k] = shift.x + static_cast<float>(k + 1);
      v[5 + 2 * k] = shift.y;
    }
  }
};

TEST(BlazeFaceAnchors, TwoGridsInModelPixels) {
  const auto anchors = blazeface_anchors(kInput);
  ASSERT_EQ(anchors.size(), size_t(kAnchors));
  const struct {
    int index;
    cv::Point2f centre;
  } cases[] = {
      {0, {8, 8}},     {1, {8, 8}},        // 16x16 grid, 2 per cell, stride 16
      {2, {24, 8}},    {511, {248, 248}},  // last cell of the first grid
      {512, {16, 16}}, {517, {16, 16}},    // 8x8 grid, 6 per cell, stride 32
      {518, {48, 16}}, {895, {240, 240}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(anchors[c.index], c.centre) << "anchor " << c.index;
  }
}

TEST(BlazeFaceDecode, OffsetsAreRelativeToTheAnchorCentre) {
  Outputs out;
  out.set(512, 2.0f, {4, -2}, 40, 50);  // anchor (16,16)
  auto faces = decode_blazeface(out.boxes, out.logits, kInput, {});
  ASSERT_TRUE(faces.ok()) << faces.error().message;
  ASSERT_EQ(faces->size(), 1u);
  const Face& f = faces->front();
  EXPECT_NEAR(f.score, 1 / (1 + std::exp(-2.0f)), 1e-6);
  EXPECT_EQ(f.box, (Box{0, -11, 40, 39}));
  EXPECT_EQ(f.at(FaceKeypoint::kRightEye), cv::Point2f(21, 14));
  EXPECT_EQ(f.at(FaceKeypoint::kLeftEar), cv::Point2f(26, 14));
}

TEST(BlazeFaceDecode, BlendsOverlapsAndKeepsSeparateFaces) {
  const struct {
    const char* name;
    int second_anchor;
    float second_logit;  // lower when apart, so the first candidate stays first
    size_t faces;
    float first_x1;  // score-weighted mean when blended
  } cases[] = {
      {"overlapping candidates blend", 1, 3.0f, 1, 8 - 20 + 0.5f * 2},  // equal weights
      {"distant candidates stay apart", 895, 2.5f, 2, 8 - 20},
  };
  for (const auto& c : cases) {
    Outputs out;
    out.set(0, 3.0f, {0, 0}, 40, 40);
    out.set(c.second_anchor, c.second_logit, {2, 0}, 40, 40);
    auto faces = decode_blazeface(out.boxes, out.logits, kInput, {});
    ASSERT_TRUE(faces.ok());
    ASSERT_EQ(faces->size(), c.faces) << c.name;
    EXPECT_NEAR(faces->front().box.x1, c.first_x1, 1e-4) << c.name;
  }
}

TEST(BlazeFaceDecode, LowScoresAndWrongShapes) {
  Outputs out;
  auto none = decode_blazeface(out.boxes, out.logits, kInput, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  out.boxes.shape = {1, kAnchors, 4};
  auto bad = decode_blazeface(out.boxes, out.logits, kInput, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace fai
