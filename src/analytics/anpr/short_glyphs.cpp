#include "analytics/anpr/short_glyphs.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace fai {

namespace {

// Ink is the darker Otsu class unless it covers most of the line (light text on a dark plate).
cv::Mat ink_mask(const cv::Mat& bgr_line) {
  cv::Mat grey, ink;
  cv::cvtColor(bgr_line, grey, cv::COLOR_BGR2GRAY);
  cv::threshold(grey, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  if (static_cast<size_t>(cv::countNonZero(ink)) > ink.total() / 2) cv::bitwise_not(ink, ink);
  return ink;
}

int median_of_positive(std::vector<int> values) {
  std::erase(values, 0);
  if (values.empty()) return 0;
  auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace

std::vector<int> ink_heights_at(const cv::Mat& bgr_line, const std::vector<float>& centres) {
  std::vector<int> heights(centres.size(), 0);
  if (bgr_line.empty()) return heights;
  cv::Mat labels, stats, centroids;
  const int blobs =
      cv::connectedComponentsWithStats(ink_mask(bgr_line), labels, stats, centroids, 8);
  for (size_t i = 0; i < centres.size(); ++i) {
    const int x = std::clamp(static_cast<int>(centres[i] * static_cast<float>(bgr_line.cols)), 0,
                             bgr_line.cols - 1);
    for (int b = 1; b < blobs; ++b) {
      const int left = stats.at<int>(b, cv::CC_STAT_LEFT);
      if (x >= left && x < left + stats.at<int>(b, cv::CC_STAT_WIDTH)) {
        heights[i] = std::max(heights[i], stats.at<int>(b, cv::CC_STAT_HEIGHT));
      }
    }
  }
  return heights;
}

TextRead without_short_glyphs(const cv::Mat& bgr_line, TextRead read, const ShortGlyphRule& rule) {
  if (read.centres.size() != read.glyphs.size()) return read;
  const std::vector<int> heights = ink_heights_at(bgr_line, read.centres);
  const float limit = rule.max_height_ratio * static_cast<float>(median_of_positive(heights));
  TextRead kept;
  kept.punctuated = std::move(read.punctuated);
  for (size_t i = 0; i < read.glyphs.size(); ++i) {
    // No blob under a character says nothing about it (a broken stroke, a missed threshold).
    const bool short_mark = heights[i] > 0 && static_cast<float>(heights[i]) < limit;
    if (short_mark && read.confidences[i] < rule.max_confidence) continue;
    kept.glyphs.push_back(std::move(read.glyphs[i]));
    kept.confidences.push_back(read.confidences[i]);
    kept.centres.push_back(read.centres[i]);
  }
  return kept;
}

}  // namespace fai
