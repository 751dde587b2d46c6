#pragma once
// Marks between a plate's character groups (New Jersey's state outline, Missouri's separator,
// a dealer's small suffix) are read as weak characters, mostly O, 0 or D. A plate prints its
// characters at one height; such a mark is a shorter blob of ink.

#include <vector>

#include <opencv2/core.hpp>

#include "analytics/anpr/line_recognizer.h"

namespace fai {

struct ShortGlyphRule {
  float max_height_ratio = 0.6f;  // of the median character's ink height
  float max_confidence = 0.7f;    // a character read surer than this is kept whatever its height
};

// Height (px) of the tallest ink blob (Otsu, the minority polarity) spanning each x, given as a
// fraction of the line's width; 0 where no blob spans it.
std::vector<int> ink_heights_at(const cv::Mat& bgr_line, const std::vector<float>& centres);

// `read` without the characters that are both weaker than rule.max_confidence and stand on an ink
// blob shorter than rule.max_height_ratio times the median character's. A read without
// positions (TextRead::centres) is returned as it is.
TextRead without_short_glyphs(const cv::Mat& bgr_line, TextRead read, const ShortGlyphRule& rule);

}  // namespace fai
