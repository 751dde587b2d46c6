// PUT /api/cameras/{id}/lines bodies: the config's line rules, every problem at once.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/routes_stream.h"

namespace fai::api {
namespace {

using nlohmann::json;

json line(const std::string& id, double x1, double y1, double x2, double y2,
          const std::string& side = "right") {
  return {{"id", id}, {"x1", x1}, {"y1", y1}, {"x2", x2}, {"y2", y2}, {"in_side", side}};
}

TEST(LinesRequest, ValidLinesBecomeCountingLines) {
  json body = {{"lines", {line("door", 10, 400, 630, 400, "left"), line("aisle", 5, 5, 5, 90)}}};
  body["lines"][1]["infinite"] = true;
  auto lines = parse_lines(body);
  ASSERT_TRUE(lines.ok()) << lines.error().message;
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0].id, "door");
  EXPECT_EQ((*lines)[0].start.x, 10);
  EXPECT_EQ((*lines)[0].end.y, 400);
  EXPECT_EQ((*lines)[0].in_side, LineSide::kLeft);
  EXPECT_FALSE((*lines)[0].infinite);
  EXPECT_EQ((*lines)[1].in_side, LineSide::kRight);
  EXPECT_TRUE((*lines)[1].infinite);
}

TEST(LinesRequest, SavedLinesRoundTrip) {
  const std::vector<CountingLine> lines = {{"a", {1, 2}, {3, 4}, LineSide::kLeft, true},
                                           {"b", {5, 6}, {7, 8}, LineSide::kRight, false}};
  const auto back = to_counting_lines(to_saved_lines(lines));
  ASSERT_EQ(back.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back[i].id, lines[i].id);
    EXPECT_EQ(back[i].start.x, lines[i].start.x);
    EXPECT_EQ(back[i].end.y, lines[i].end.y);
    EXPECT_EQ(back[i].in_side, lines[i].in_side);
    EXPECT_EQ(back[i].infinite, lines[i].infinite);
  }
}

TEST(LinesRequest, EveryProblemIsReportedAtOnce) {
  json body = {{"lines",
                {line("door", 1, 1, 1, 1), line("door", 0, 0, 5, 5, "up"), line("", 0, -3, 5, 5),
                 json{{"id", "nox"}, {"y1", 0}, {"x2", 1}, {"y2", 1}}}}};
  auto lines = parse_lines(body);
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.error().code, ErrorCode::kInvalidArgument);
  const std::string& m = lines.error().message;
  for (const char* problem :
       {"lines[0]: the two points must differ", "lines[1].id: duplicate 'door'",
        "lines[1].in_side: left or right", "lines[2].id: 1 to 64 characters",
        "lines[2].y1: must be between 0 and 100000", "lines[3].x1: a number is required"}) {
    EXPECT_NE(m.find(problem), std::string::npos) << problem << " not in: " << m;
  }
}

TEST(LinesRequest, TheListMustHoldOneTo32Lines) {
  for (const json& body :
       {json::object(), json{{"lines", json::array()}}, json{{"lines", "door"}}}) {
    auto lines = parse_lines(body);
    ASSERT_FALSE(lines.ok()) << body;
    EXPECT_EQ(lines.error().code, ErrorCode::kInvalidArgument);
  }
  json many = {{"lines", json::array()}};
  for (int i = 0; i < 33; ++i) many["lines"].push_back(line("l" + std::to_string(i), 0, 0, 1, 1));
  EXPECT_FALSE(parse_lines(many).ok());
  many["lines"].erase(many["lines"].begin());
  EXPECT_TRUE(parse_lines(many).ok());
}

TEST(LinesRequest, InfiniteMustBeABoolean) {
  json body = {{"lines", {line("door", 0, 0, 5, 5)}}};
  body["lines"][0]["infinite"] = "yes";
  auto lines = parse_lines(body);
  ASSERT_FALSE(lines.ok());
  EXPECT_NE(lines.error().message.find("infinite"), std::string::npos);
}

}  // namespace
}  // namespace fai::api
