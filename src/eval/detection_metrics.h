#pragma once
// Detection accuracy: per-class precision and recall at an IoU threshold, accumulated image by
// image. Pure math on core types, golden-tested.

#include <map>
#include <vector>

#include "core/types.h"

namespace fai {

struct ClassTally {
  int true_positives = 0;
  int false_positives = 0;
  int ground_truth = 0;

  double precision() const {
    const int predicted = true_positives + false_positives;
    return predicted > 0 ? static_cast<double>(true_positives) / predicted : 0.0;
  }
  double recall() const {
    return ground_truth > 0 ? static_cast<double>(true_positives) / ground_truth : 0.0;
  }
};

class DetectionTally {
 public:
  explicit DetectionTally(float iou_threshold = 0.5f) : iou_threshold_(iou_threshold) {}

  // Greedy matching per class, best score first: a prediction is a true positive when it
  // overlaps a still-unmatched ground-truth box of its class at IoU >= the threshold.
  void add_image(const std::vector<Detection>& predictions, const std::vector<Detection>& truth);

  const std::map<int, ClassTally>& by_class() const { return by_class_; }
  ClassTally total() const;

 private:
  float iou_threshold_;
  std::map<int, ClassTally> by_class_;
};

}  // namespace fai
