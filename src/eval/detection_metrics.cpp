#include "eval/detection_metrics.h"

#include <algorithm>

#include "core/geometry.h"

namespace fai {

void DetectionTally::add_image(const std::vector<Detection>& predictions,
                               const std::vector<Detection>& truth) {
  for (const auto& t : truth) ++by_class_[t.class_id].ground_truth;
  std::vector<const Detection*> ordered;
  for (const auto& p : predictions) ordered.push_back(&p);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Detection* a, const Detection* b) { return a->score > b->score; });
  std::vector<bool> matched(truth.size(), false);
  for (const Detection* p : ordered) {
    int best = -1;
    float best_iou = iou_threshold_;
    for (size_t i = 0; i < truth.size(); ++i) {
      if (matched[i] || truth[i].class_id != p->class_id) continue;
      const float overlap = iou(p->box, truth[i].box);
      if (overlap >= best_iou) {
        best_iou = overlap;
        best = static_cast<int>(i);
      }
    }
    ClassTally& tally = by_class_[p->class_id];
    if (best >= 0) {
      matched[best] = true;
      ++tally.true_positives;
    } else {
      ++tally.false_positives;
    }
  }
}

ClassTally DetectionTally::total() const {
  ClassTally sum;
  for (const auto& [id, t] : by_class_) {
    sum.true_positives += t.true_positives;
    sum.false_positives += t.false_positives;
    sum.ground_truth += t.ground_truth;
  }
  return sum;
}

}  // namespace fai
