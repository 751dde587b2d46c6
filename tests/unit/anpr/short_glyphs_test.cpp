// The short-mark rule on drawn lines: full-height bars stand for characters, a small disc for the
// emblem between character groups.

#include "analytics/anpr/short_glyphs.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace fai {
namespace {

constexpr int kWidth = 300, kHeight = 60;

// Bars 40 px high centred at x = 30, 70, 110, 190, 230 and a 12 px disc at x = 150.
cv::Mat drawn_line(bool light_on_dark) {
  const cv::Scalar paper = light_on_dark ? cv::Scalar::all(30) : cv::Scalar::all(235);
  const cv::Scalar ink = light_on_dark ? cv::Scalar::all(230) : cv::Scalar::all(20);
  cv::Mat line(kHeight, kWidth, CV_8UC3, paper);
  for (int x : {30, 70, 110, 190, 230}) cv::rectangle(line, cv::Rect(x - 8, 10, 16, 40), ink, -1);
  cv::circle(line, {150, 30}, 6, ink, -1);
  return line;
}

TextRead read_at(const std::vector<int>& xs, const std::vector<float>& confidences) {
  TextRead read;
  for (size_t i = 0; i < xs.size(); ++i) {
    read.glyphs.push_back(std::string(1, static_cast<char>('A' + i)));
    read.confidences.push_back(confidences[i]);
    read.centres.push_back(static_cast<float>(xs[i]) / kWidth);
  }
  return read;
}

TEST(ShortGlyphs, InkHeightsAreTheBlobsUnderEachPosition) {
  const cv::Mat line = drawn_line(false);
  EXPECT_EQ(ink_heights_at(line, {30.0f / kWidth, 150.0f / kWidth, 270.0f / kWidth}),
            (std::vector<int>{40, 13, 0}));
  EXPECT_EQ(ink_heights_at(drawn_line(true), {30.0f / kWidth, 150.0f / kWidth}),
            (std::vector<int>{40, 13}));
}

TEST(ShortGlyphs, WeakCharacterOnAShortBlobIsDropped) {
  const std::vector<int> xs = {30, 70, 110, 150, 190, 230};
  for (bool light_on_dark : {false, true}) {
    const TextRead kept = without_short_glyphs(
        drawn_line(light_on_dark), read_at(xs, {0.9f, 0.9f, 0.9f, 0.5f, 0.9f, 0.9f}), {});
    EXPECT_EQ(kept.text(), "ABCEF") << "light on dark: " << light_on_dark;
    EXPECT_EQ(kept.centres.size(), 5u);
    EXPECT_FLOAT_EQ(kept.confidences[3], 0.9f);
  }
}

TEST(ShortGlyphs, SureCharactersTallOnesAndOnesOverNoInkAreKept) {
  const cv::Mat line = drawn_line(false);
  // The disc read surely, a bar read weakly, a weak read over blank paper.
  EXPECT_EQ(without_short_glyphs(line, read_at({30, 150, 190}, {0.9f, 0.95f, 0.9f}), {}).text(),
            "ABC");
  EXPECT_EQ(without_short_glyphs(line, read_at({30, 70, 190}, {0.9f, 0.2f, 0.9f}), {}).text(),
            "ABC");
  EXPECT_EQ(without_short_glyphs(line, read_at({30, 270, 190}, {0.9f, 0.2f, 0.9f}), {}).text(),
            "ABC");
  // A looser rule keeps the weakly read disc too.
  EXPECT_EQ(
      without_short_glyphs(line, read_at({30, 150, 190}, {0.9f, 0.5f, 0.9f}), {0.2f, 0.7f}).text(),
      "ABC");
}

TEST(ShortGlyphs, ReadWithoutPositionsIsUnchanged) {
  TextRead read = read_at({30, 150, 190}, {0.9f, 0.1f, 0.9f});
  read.centres.clear();
  read.punctuated = "A:B:C";
  const TextRead kept = without_short_glyphs(drawn_line(false), read, {});
  EXPECT_EQ(kept.text(), "ABC");
  EXPECT_EQ(kept.punctuated, "A:B:C");
}

}  // namespace
}  // namespace fai
