#include <gtest/gtest.h>

#include "core/geometry.h"

namespace fai {
namespace {

struct IouCase {
  Box a, b;
  float expected;
};

TEST(Iou, TableOfOverlaps) {
  const IouCase cases[] = {
      {{0, 0, 10, 10}, {0, 0, 10, 10}, 1.0f},
      {{0, 0, 10, 10}, {10, 10, 20, 20}, 0.0f},       // touching corners
      {{0, 0, 10, 10}, {5, 0, 15, 10}, 50.0f / 150},  // half overlap
      {{0, 0, 10, 10}, {2, 2, 4, 4}, 4.0f / 100},     // contained
      {{0, 0, 0, 0}, {0, 0, 0, 0}, 0.0f},             // degenerate boxes never divide by zero
      {{5, 5, 1, 1}, {0, 0, 10, 10}, 0.0f},           // inverted box has no area
  };
  for (const auto& c : cases) {
    EXPECT_NEAR(iou(c.a, c.b), c.expected, 1e-6);
    EXPECT_NEAR(iou(c.b, c.a), c.expected, 1e-6);
  }
}

TEST(Nms, KeepsBestOfOverlappingSameClass) {
  const std::vector<Detection> dets = {
      {{0, 0, 10, 10}, 0.6f, 2}, {{1, 1, 11, 11}, 0.9f, 2}, {{50, 50, 60, 60}, 0.5f, 2}};
  EXPECT_EQ(nms(dets, 0.5f, true), (std::vector<int>{1, 2}));
}

TEST(Nms, PerClassLeavesOtherClassesAlone) {
  const std::vector<Detection> dets = {{{0, 0, 10, 10}, 0.9f, 2}, {{0, 0, 10, 10}, 0.8f, 7}};
  EXPECT_EQ(nms(dets, 0.5f, true).size(), 2u);
  EXPECT_EQ(nms(dets, 0.5f, false), (std::vector<int>{0}));
}

TEST(SuppressDuplicates, CarAndTruckOnOneObjectBecomeOne) {
  const std::vector<Detection> dets = {{{0, 0, 100, 50}, 0.7f, coco::kCar},
                                       {{2, 1, 101, 50}, 0.6f, coco::kTruck},
                                       {{0, 0, 100, 50}, 0.65f, coco::kCar},
                                       {{60, 0, 160, 50}, 0.5f, coco::kTruck}};
  const auto kept = suppress_duplicates(dets, {});
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].class_id, coco::kCar);
  EXPECT_FLOAT_EQ(kept[0].score, 0.7f);
  EXPECT_EQ(kept[1].class_id, coco::kTruck);  // overlaps only partly: a different object
  EXPECT_FLOAT_EQ(kept[1].score, 0.5f);
}

struct LetterboxCase {
  int src_w, src_h, dst_w, dst_h;
  float scale, pad_x, pad_y;
};

TEST(Letterbox, FitTable) {
  const LetterboxCase cases[] = {
      {640, 480, 416, 416, 0.65f, 0, 52}, {480, 640, 416, 416, 0.65f, 52, 0},
      {416, 416, 416, 416, 1.0f, 0, 0},   {1920, 1080, 640, 640, 1.0f / 3, 0, 140},
      {100, 50, 640, 640, 6.4f, 0, 160},  // upscaling
  };
  for (const auto& c : cases) {
    const Letterbox lb = Letterbox::fit(c.src_w, c.src_h, c.dst_w, c.dst_h);
    EXPECT_NEAR(lb.scale, c.scale, 1e-6) << c.src_w << "x" << c.src_h;
    EXPECT_FLOAT_EQ(lb.pad_x, c.pad_x) << c.src_w << "x" << c.src_h;
    EXPECT_FLOAT_EQ(lb.pad_y, c.pad_y) << c.src_w << "x" << c.src_h;
  }
}

TEST(Letterbox, RoundTripAndClipping) {
  const Letterbox lb = Letterbox::fit(640, 480, 416, 416);
  const Box source{100, 50, 300, 400};
  const Box back = lb.to_source(lb.to_model(source));
  EXPECT_NEAR(back.x1, 100, 1e-3);
  EXPECT_NEAR(back.y2, 400, 1e-3);
  const Box outside = lb.to_source({-20, 0, 500, 500});  // reaches into the padding
  EXPECT_EQ(outside, (Box{0, 0, 640, 480}));
}

}  // namespace
}  // namespace fai

namespace fai {
namespace {

TEST(Coco, NamesAndVehicleClasses) {
  EXPECT_EQ(coco::class_name(coco::kTruck), "truck");
  EXPECT_EQ(coco::class_name(-1), "unknown");
  EXPECT_EQ(coco::class_name(80), "unknown");
  for (int id : {coco::kCar, coco::kMotorcycle, coco::kBus, coco::kTruck}) {
    EXPECT_TRUE(coco::is_vehicle(id)) << id;
  }
  for (int id : {coco::kPerson, coco::kBicycle, 16}) EXPECT_FALSE(coco::is_vehicle(id)) << id;
}

}  // namespace
}  // namespace fai
