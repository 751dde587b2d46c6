#include "detect/score_filter.h"

#include <cstddef>

namespace fai {

std::vector<bool> class_mask(const ScoreFilter& filter, int num_classes) {
  std::vector<bool> kept(static_cast<std::size_t>(num_classes), filter.classes.empty());
  for (int c : filter.classes) {
    if (c >= 0 && c < num_classes) kept[static_cast<std::size_t>(c)] = true;
  }
  return kept;
}

}  // namespace fai
