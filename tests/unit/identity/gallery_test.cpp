#include "analytics/identity/gallery.h"

#include <cmath>
#include <thread>

#include <gtest/gtest.h>

namespace fai {
namespace {

Embedding unit(float angle_deg) {
  const float a = angle_deg * static_cast<float>(M_PI) / 180.0f;
  return {std::cos(a), std::sin(a), 0.0f};
}

// Employee "a" has templates at 0 and 40 degrees, "b" one at 90; cos(30 deg) = 0.866.
TEST(Gallery, IdentifiesAboveThresholdElseUnknown) {
  const struct {
    const char* name;
    TemplateScoring scoring;
    float probe_deg;
    float threshold;
    std::optional<std::string> expected;
    std::string closest;
  } cases[] = {
      {"on a template", TemplateScoring::kBestTemplate, 0, 0.8f, "a", "a"},
      {"second template counts", TemplateScoring::kBestTemplate, 45, 0.95f, "a", "a"},
      {"below threshold", TemplateScoring::kBestTemplate, 70, 0.95f, std::nullopt, "b"},
      {"other employee", TemplateScoring::kBestTemplate, 85, 0.9f, "b", "b"},
      {"mean of templates is lower", TemplateScoring::kMeanTemplate, 40, 0.95f, std::nullopt, "a"},
      {"mean accepts at lower threshold", TemplateScoring::kMeanTemplate, 20, 0.9f, "a", "a"},
  };
  for (const auto& c : cases) {
    Gallery gallery(c.threshold, c.scoring);
    ASSERT_TRUE(gallery.enrol("a", unit(0)).ok());
    ASSERT_TRUE(gallery.enrol("a", unit(40)).ok());
    ASSERT_TRUE(gallery.enrol("b", unit(90)).ok());
    const GalleryMatch m = gallery.identify(unit(c.probe_deg));
    EXPECT_EQ(m.employee_id, c.expected) << c.name;
    EXPECT_EQ(m.best_candidate, c.closest) << c.name;
  }
}

TEST(Gallery, CountsAndDimensionChecks) {
  Gallery gallery(0.5f);
  EXPECT_FALSE(gallery.identify(unit(0)).employee_id) << "empty gallery knows nobody";
  ASSERT_TRUE(gallery.enrol("a", unit(0)).ok());
  ASSERT_TRUE(gallery.enrol("a", unit(10)).ok());
  EXPECT_EQ(gallery.employees(), 1);
  EXPECT_EQ(gallery.templates(), 2);
  const Status wrong = gallery.enrol("b", {1.0f, 0.0f});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(gallery.identify({1.0f, 0.0f}).employee_id);
}

TEST(Gallery, RemovingTemplatesAndEmployeesForgetsThem) {
  Gallery gallery(0.9f);
  ASSERT_TRUE(gallery.enrol("a", unit(0), 11).ok());
  ASSERT_TRUE(gallery.enrol("a", unit(60), 12).ok());
  ASSERT_TRUE(gallery.enrol("b", unit(90), 21).ok());
  EXPECT_EQ(gallery.identify(unit(60)).employee_id, "a");
  EXPECT_EQ(gallery.remove_template("a", 12), 1);
  EXPECT_EQ(gallery.remove_template("a", 12), 0) << "already gone";
  EXPECT_EQ(gallery.remove_template("b", 11), 0) << "template of another employee";
  EXPECT_FALSE(gallery.identify(unit(60)).employee_id) << "only the 0-degree template is left";
  EXPECT_EQ(gallery.identify(unit(0)).employee_id, "a");
  EXPECT_EQ(gallery.remove_employee("a"), 1);
  EXPECT_EQ(gallery.remove_employee("a"), 0);
  EXPECT_FALSE(gallery.identify(unit(0)).employee_id);
  EXPECT_EQ(gallery.employees(), 1);
  EXPECT_EQ(gallery.remove_template("b", 21), 1);
  EXPECT_EQ(gallery.employees(), 0) << "an employee without templates is not kept";
  EXPECT_EQ(gallery.templates(), 0);
}

TEST(Gallery, ConcurrentReadsWhileEnrolling) {
  Gallery gallery(0.9f);
  ASSERT_TRUE(gallery.enrol("a", unit(0)).ok());
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(gallery.enrol("b", unit(90)).ok());
  });
  for (int i = 0; i < 200; ++i) EXPECT_EQ(gallery.identify(unit(1)).employee_id, "a");
  writer.join();
  EXPECT_EQ(gallery.templates(), 201);
}

TEST(CalibrateThreshold, AllowsAtMostTheGivenFalseAcceptRate) {
  const std::vector<float> strangers = {0.1f, 0.5f, 0.3f, 0.7f, 0.2f, 0.6f, 0.4f, 0.0f, 0.8f, 0.9f};
  const struct {
    double max_far;
    int accepted;  // strangers at or above the threshold
  } cases[] = {{0.0, 0}, {0.01, 0}, {0.1, 1}, {0.25, 2}, {0.5, 5}, {1.0, 10}};
  for (const auto& c : cases) {
    auto threshold = calibrate_threshold(strangers, c.max_far);
    ASSERT_TRUE(threshold.ok());
    const auto accepted =
        std::count_if(strangers.begin(), strangers.end(), [&](float s) { return s >= *threshold; });
    EXPECT_EQ(accepted, c.accepted) << c.max_far;
  }
  EXPECT_FALSE(calibrate_threshold({}, 0.01).ok());
}

}  // namespace
}  // namespace fai
