#include <gtest/gtest.h>

#include "image/preprocess.h"

namespace fai {
namespace {

TEST(MakeInputTensor, NormalisesInModelChannelOrderWithGreyPadding) {
  const cv::Mat bgr(20, 40, CV_8UC3, cv::Scalar(10, 20, 30));  // B=10 G=20 R=30
  const Letterbox lb = Letterbox::fit(40, 20, 8, 8);           // 8x4 image, 2 rows pad top
  Normalization rgb_norm{true, {1, 2, 3}, {2, 4, 6}};
  const Tensor t = make_input_tensor(bgr, lb, rgb_norm);
  ASSERT_EQ(t.shape, (std::vector<int64_t>{1, 3, 8, 8}));
  ASSERT_TRUE(t.consistent());
  auto at = [&](int c, int y, int x) { return t.data[(c * 8 + y) * 8 + x]; };
  EXPECT_FLOAT_EQ(at(0, 4, 4), (30 - 1) / 2.0f);  // R first
  EXPECT_FLOAT_EQ(at(1, 4, 4), (20 - 2) / 4.0f);
  EXPECT_FLOAT_EQ(at(2, 4, 4), (10 - 3) / 6.0f);
  EXPECT_FLOAT_EQ(at(0, 0, 0), (114 - 1) / 2.0f);  // padding row
  EXPECT_FLOAT_EQ(at(2, 7, 7), (114 - 3) / 6.0f);
}

TEST(MakeInputTensor, BgrOrderKeepsChannels) {
  const cv::Mat bgr(4, 4, CV_8UC3, cv::Scalar(10, 20, 30));
  const Tensor t = make_input_tensor(bgr, Letterbox::fit(4, 4, 4, 4), Normalization{});
  EXPECT_FLOAT_EQ(t.data[0], 10);
  EXPECT_FLOAT_EQ(t.data[16], 20);
  EXPECT_FLOAT_EQ(t.data[32], 30);
}

}  // namespace
}  // namespace fai
