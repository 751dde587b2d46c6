#include "analytics/anpr/plate_vote.h"

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fai {
namespace {

constexpr float kTolerance = 1e-4f;

std::vector<PlateChar> to_chars(const std::string& text, float confidence = 0.9f) {
  std::vector<PlateChar> out;
  for (char c : text) out.push_back({c, confidence});
  return out;
}

PlateVoteParams vote_params(int max_reads, int max_attempts, int min_agreeing_reads) {
  PlateVoteParams p;
  p.max_reads = max_reads;
  p.max_attempts = max_attempts;
  p.min_agreeing_reads = min_agreeing_reads;
  return p;
}

std::vector<PlateChar> read_from_json(const nlohmann::json& j) {
  const auto text = j.at("text").get<std::string>();
  const auto conf = j.at("conf").get<std::vector<float>>();
  std::vector<PlateChar> out;
  for (size_t i = 0; i < text.size(); ++i) out.push_back({text[i], conf.at(i)});
  return out;
}

TEST(VotePlate, Golden) {
  std::ifstream in(std::string(FAI_ANPR_GOLDEN_DIR) + "/plate_vote.json");
  ASSERT_TRUE(in);
  const auto cases = nlohmann::json::parse(in);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    std::vector<std::vector<PlateChar>> reads;
    for (const auto& r : c.at("reads")) reads.push_back(read_from_json(r));
    const auto got = vote_plate(reads);
    const auto& want = c.at("expected");
    if (want.is_null()) {
      EXPECT_FALSE(got);
      continue;
    }
    ASSERT_TRUE(got);
    EXPECT_EQ(got->text, want.at("text").get<std::string>());
    EXPECT_EQ(got->reads, want.at("reads").get<int>());
    EXPECT_NEAR(got->confidence, want.at("confidence").get<float>(), kTolerance);
    const auto want_chars = want.at("char_confidences").get<std::vector<float>>();
    ASSERT_EQ(got->char_confidences.size(), want_chars.size());
    for (size_t i = 0; i < want_chars.size(); ++i) {
      EXPECT_NEAR(got->char_confidences[i], want_chars[i], kTolerance) << i;
    }
  }
}

TEST(PlateVote, EmitsOnceWhenEnoughReadsAgree) {
  PlateVote vote(vote_params(5, 10, 2));
  EXPECT_FALSE(vote.add(7, to_chars("AB12CD")));
  EXPECT_FALSE(vote.add(7, to_chars("A812CD", 0.5f)));
  const auto settled = vote.add(7, to_chars("AB12CD"));
  ASSERT_TRUE(settled);
  EXPECT_EQ(settled->text, "AB12CD");
  EXPECT_FALSE(vote.wants_read(7));
  EXPECT_FALSE(vote.add(7, to_chars("AB12CD")));
  EXPECT_FALSE(vote.end_track(7));  // already emitted: nothing more at the end
  EXPECT_EQ(vote.tracks(), 0u);
}

TEST(PlateVote, EmitsTheVoteAtTrackEndAndForgetsTheTrack) {
  PlateVote vote(vote_params(5, 10, 3));
  EXPECT_FALSE(vote.add(1, to_chars("XY99")));
  EXPECT_FALSE(vote.add(1, std::nullopt));
  EXPECT_FALSE(vote.add(2, to_chars("QQ11")));
  const auto plate = vote.end_track(1);
  ASSERT_TRUE(plate);
  EXPECT_EQ(plate->text, "XY99");
  EXPECT_EQ(vote.tracks(), 1u);
  EXPECT_FALSE(vote.end_track(1));
}

TEST(PlateVote, StopsAskingAfterTheAttemptCap) {
  PlateVote vote(vote_params(5, 3, 3));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(vote.wants_read(4));
    EXPECT_FALSE(vote.add(4, std::nullopt));
  }
  EXPECT_FALSE(vote.wants_read(4));
  EXPECT_FALSE(vote.end_track(4));  // attempts but no reads: no plate
}

struct GateCase {
  float height_px, sharpness;
  bool passes;
};

TEST(QualityGate, Table) {
  PlateVoteParams params;
  params.min_plate_height_px = 14;
  params.min_sharpness = 60;
  const GateCase cases[] = {{14, 60, true}, {40, 500, true}, {13.9f, 500, false}, {40, 59, false}};
  for (const auto& c : cases) {
    EXPECT_EQ(passes_quality_gate(c.height_px, c.sharpness, params), c.passes)
        << c.height_px << " " << c.sharpness;
  }
}

}  // namespace
}  // namespace fai
