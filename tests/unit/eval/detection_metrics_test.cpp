#include <gtest/gtest.h>

#include "eval/detection_metrics.h"
#include "eval/yolo_labels.h"

namespace fai {
namespace {

TEST(DetectionTally, MatchesGreedilyByScorePerClass) {
  const std::vector<Detection> truth = {
      {{0, 0, 10, 10}, 1, 0}, {{20, 20, 30, 30}, 1, 0}, {{50, 50, 60, 60}, 1, 2}};
  const std::vector<Detection> predictions = {
      {{0, 0, 10, 10}, 0.9f, 0},        // TP
      {{1, 1, 10, 10}, 0.8f, 0},        // duplicate of a matched box: FP
      {{50, 50, 60, 60}, 0.7f, 7},      // right place, wrong class: FP for class 7
      {{100, 100, 110, 110}, 0.6f, 2},  // nowhere: FP
  };
  DetectionTally tally;
  tally.add_image(predictions, truth);
  const auto& c = tally.by_class();
  EXPECT_EQ(c.at(0).true_positives, 1);
  EXPECT_EQ(c.at(0).false_positives, 1);
  EXPECT_EQ(c.at(0).ground_truth, 2);
  EXPECT_DOUBLE_EQ(c.at(0).precision(), 0.5);
  EXPECT_DOUBLE_EQ(c.at(0).recall(), 0.5);
  EXPECT_EQ(c.at(2).false_positives, 1);
  EXPECT_DOUBLE_EQ(c.at(2).recall(), 0.0);
  EXPECT_EQ(c.at(7).ground_truth, 0);
  EXPECT_EQ(tally.total().true_positives, 1);
  EXPECT_EQ(tally.total().false_positives, 3);
  EXPECT_EQ(tally.total().ground_truth, 3);
}

TEST(DetectionTally, IouThresholdIsInclusive) {
  DetectionTally tally(0.5f);
  tally.add_image({{{0, 0, 10, 10}, 0.9f, 0}}, {{{5, 0, 15, 10}, 1, 0}});  // IoU 1/3
  EXPECT_EQ(tally.total().true_positives, 0);
  DetectionTally loose(0.3f);
  loose.add_image({{{0, 0, 10, 10}, 0.9f, 0}}, {{{5, 0, 15, 10}, 1, 0}});
  EXPECT_EQ(loose.total().true_positives, 1);
}

TEST(YoloLabels, ParsesNormalisedCentreBoxes) {
  auto labels = parse_yolo_labels("45 0.5 0.5 0.5 0.25\n\n0 0.1 0.2 0.2 0.2\n", 640, 480);
  ASSERT_TRUE(labels.ok());
  ASSERT_EQ(labels->size(), 2u);
  EXPECT_EQ((*labels)[0].class_id, 45);
  EXPECT_EQ((*labels)[0].box, (Box{160, 180, 480, 300}));
  EXPECT_NEAR((*labels)[1].box.x1, 0, 1e-4);
  EXPECT_FALSE(parse_yolo_labels("cat 0.5 0.5 0.1 0.1\n", 10, 10).ok());
  EXPECT_FALSE(parse_yolo_labels("1 0.5 0.5\n", 10, 10).ok());
}

TEST(YoloLabels, LabelPathFollowsUltralyticsLayout) {
  EXPECT_EQ(yolo_label_path("/d/coco8/images/val/0001.jpg"), "/d/coco8/labels/val/0001.txt");
}

}  // namespace
}  // namespace fai
