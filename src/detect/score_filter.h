#pragma once
// What every decoder keeps: a class whitelist and a minimum score, applied while decoding so
// the thousands of empty cells never become Detection objects.

#include <vector>

namespace fai {

struct ScoreFilter {
  float score_threshold = 0.35f;
  std::vector<int> classes;  // class ids kept; empty keeps every class
};

// kept[c] for c in [0, num_classes): one lookup per cell instead of a search.
std::vector<bool> class_mask(const ScoreFilter& filter, int num_classes);

}  // namespace fai
