// Per-track identity: the vote over a track's face reads and the per-(camera, track) cache with
// its time to live, with time passed in (no clocks).

#include <gtest/gtest.h>

#include "analytics/identity/track_identity.h"

namespace fai {
namespace {

using namespace std::chrono_literals;

const SystemTime kT0 = SystemTime{} + 1000h;

FaceRead known(const std::string& id, float similarity, float quality = 1,
               std::string source = "local") {
  return {id, similarity, similarity, quality, std::move(source)};
}
FaceRead unknown(float closest_similarity, float quality = 1) {
  return {"", closest_similarity, 0, quality, "local"};
}

struct VoteCase {
  std::string name;
  std::vector<FaceRead> reads;
  std::string winner;  // "" = unknown
  float min_confidence, max_confidence;
};

class Vote : public ::testing::TestWithParam<VoteCase> {};

TEST_P(Vote, PicksTheWeightiestLabel) {
  const VoteCase& c = GetParam();
  const IdentityDecision d = vote(c.reads);
  EXPECT_EQ(d.employee_id, c.winner);
  EXPECT_GE(d.confidence, c.min_confidence);
  EXPECT_LE(d.confidence, c.max_confidence);
}

INSTANTIATE_TEST_SUITE_P(
    Table, Vote,
    ::testing::Values(
        VoteCase{"unanimous", {known("e1", 0.8f), known("e1", 0.8f)}, "e1", 0.7999f, 0.8001f},
        // Two of three agree: the confidence is the agreeing reads' times their weight share.
        VoteCase{"majority",
                 {known("e1", 0.8f), known("e2", 0.8f), known("e1", 0.8f)},
                 "e1",
                 0.8f * 2 / 3 - 1e-4f,
                 0.8f * 2 / 3 + 1e-4f},
        // One sharp frontal read beats two blurred, turned ones of someone else.
        VoteCase{"quality outweighs count",
                 {known("e2", 0.7f, 0.2f), known("e1", 0.9f, 1.0f), known("e2", 0.7f, 0.2f)},
                 "e1",
                 0.5f,
                 0.9f},
        // Unknown reads vote too: two clear non-matches outvote one weak match.
        VoteCase{
            "unknown votes count", {known("e1", 0.65f), unknown(0.2f), unknown(0.3f)}, "", 0, 0},
        VoteCase{"one weak unknown loses to two matches",
                 {known("e1", 0.7f), unknown(0.6f), known("e1", 0.7f)},
                 "e1",
                 0.5f,
                 0.7f},
        // Equal weight: the earlier read's label wins (stable, not map order).
        VoteCase{"tie goes to the first read", {known("e9", 0.8f), known("e1", 0.8f)}, "e9", 0, 1},
        VoteCase{"no reads", {}, "", 0, 0}),
    [](const ::testing::TestParamInfo<VoteCase>& param_info) {
      std::string name = param_info.param.name;
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

TEST(Vote, SourceIsTheWinnersMajority) {
  const IdentityDecision d = vote({known("e1", 0.9f, 1, "aws"), known("e1", 0.9f, 1, "local"),
                                   known("e1", 0.9f, 1, "aws"), known("e2", 0.9f, 1, "local")});
  EXPECT_EQ(d.employee_id, "e1");
  EXPECT_EQ(d.source, "aws");
}

TrackIdentityParams params(int max_attempts, int ttl_s = 60, float at_once = 2) {
  return {max_attempts, std::chrono::seconds(ttl_s), at_once};
}

TEST(TrackIdentities, DecidesOnceAfterMaxAttemptsThenAnswersFromTheCache) {
  TrackIdentities ids(params(3));
  EXPECT_FALSE(ids.lookup("cam", 7, kT0));
  EXPECT_FALSE(ids.add_read("cam", 7, known("e1", 0.8f), kT0));
  EXPECT_FALSE(ids.add_read("cam", 7, known("e1", 0.7f), kT0 + 1s));
  EXPECT_EQ(ids.pending_reads("cam", 7), 2);
  const auto decided = ids.add_read("cam", 7, unknown(0.5f), kT0 + 2s);
  ASSERT_TRUE(decided);
  EXPECT_EQ(decided->employee_id, "e1");
  EXPECT_EQ(decided->decided_at, kT0 + 2s);
  EXPECT_EQ(decided->expires_at, kT0 + 62s);
  // Decided: further reads are ignored, lookups hit.
  EXPECT_FALSE(ids.add_read("cam", 7, known("e2", 0.99f), kT0 + 3s));
  ids.set_name("cam", 7, "Ada");
  const auto hit = ids.lookup("cam", 7, kT0 + 3s);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->employee_id, "e1");
  EXPECT_EQ(hit->name, "Ada");
  const TrackIdentityStats s = ids.stats();
  EXPECT_EQ(s.hits, 1);
  EXPECT_EQ(s.misses, 1);
  EXPECT_EQ(s.reads, 3);
  EXPECT_EQ(s.decisions, 1);
  EXPECT_EQ(s.identified, 1);
  EXPECT_EQ(s.entries, 1u);
  EXPECT_DOUBLE_EQ(s.hit_rate(), 0.5);
}

TEST(TrackIdentities, AConfidentReadDecidesAtOnce) {
  TrackIdentities ids(params(3, 60, 0.9f));
  EXPECT_FALSE(ids.add_read("cam", 1, known("e1", 0.85f), kT0));  // below: keeps voting
  EXPECT_FALSE(ids.add_read("cam", 2, unknown(0.01f), kT0));      // unknown never decides alone
  const auto decided = ids.add_read("cam", 3, known("e3", 0.95f), kT0);
  ASSERT_TRUE(decided);
  EXPECT_EQ(decided->employee_id, "e3");
}

TEST(TrackIdentities, UnknownDecisionsAreCachedToo) {
  TrackIdentities ids(params(1));
  const auto decided = ids.add_read("cam", 4, unknown(0.1f), kT0);
  ASSERT_TRUE(decided);
  EXPECT_TRUE(decided->employee_id.empty());
  EXPECT_TRUE(ids.lookup("cam", 4, kT0 + 1s));
  EXPECT_EQ(ids.stats().identified, 0);
}

struct ExpiryCase {
  std::string name;
  std::chrono::seconds lookup_after;
  bool hit;
};

class Expiry : public ::testing::TestWithParam<ExpiryCase> {};

TEST_P(Expiry, DecisionsLiveForTheTtl) {
  TrackIdentities ids(params(1, 600));
  ASSERT_TRUE(ids.add_read("cam", 1, known("e1", 0.9f), kT0));
  EXPECT_EQ(ids.lookup("cam", 1, kT0 + GetParam().lookup_after).has_value(), GetParam().hit);
  if (!GetParam().hit) {
    // Expired: the track is read again from scratch.
    EXPECT_EQ(ids.pending_reads("cam", 1), 0);
    EXPECT_TRUE(ids.add_read("cam", 1, known("e2", 0.9f), kT0 + GetParam().lookup_after));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, Expiry,
                         ::testing::Values(ExpiryCase{"at_once", 0s, true},
                                           ExpiryCase{"just_before", 599s, true},
                                           ExpiryCase{"at_ttl", 600s, false},
                                           ExpiryCase{"long_after", 3600s, false}),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(TrackIdentities, EndedTracksAndExpiredDecisionsAreForgotten) {
  TrackIdentities ids(params(1, 10));
  ASSERT_TRUE(ids.add_read("cam", 1, known("e1", 0.9f), kT0));
  ASSERT_TRUE(ids.add_read("cam", 2, known("e2", 0.9f), kT0 + 5s));
  ASSERT_TRUE(ids.add_read("other", 1, known("e3", 0.9f), kT0));
  ids.end_tracks("cam", {1});
  EXPECT_FALSE(ids.lookup("cam", 1, kT0 + 1s));
  EXPECT_TRUE(ids.lookup("other", 1, kT0 + 1s)) << "the same track id on another camera";
  ids.expire(kT0 + 10s);  // "other"/1 expires, cam/2 lives until kT0 + 15 s
  EXPECT_EQ(ids.stats().entries, 1u);
  EXPECT_TRUE(ids.lookup("cam", 2, kT0 + 14s));
}

TEST(TrackIdentities, ForgettingAnEmployeeDropsOnlyTheirDecisions) {
  TrackIdentities ids(params(1));
  ASSERT_TRUE(ids.add_read("a", 1, known("gone", 0.9f), kT0));
  ASSERT_TRUE(ids.add_read("b", 7, known("gone", 0.9f), kT0));
  ASSERT_TRUE(ids.add_read("a", 2, known("stays", 0.9f), kT0));
  ids.forget_employee("gone");
  EXPECT_FALSE(ids.lookup("a", 1, kT0 + 1s)) << "read again, against the gallery without them";
  EXPECT_FALSE(ids.lookup("b", 7, kT0 + 1s));
  EXPECT_EQ(ids.lookup("a", 2, kT0 + 1s)->employee_id, "stays");
}

TEST(TrackIdentities, CamerasDoNotShareTrackIds) {
  TrackIdentities ids(params(2));
  EXPECT_FALSE(ids.add_read("a", 1, known("e1", 0.9f), kT0));
  EXPECT_FALSE(ids.add_read("b", 1, known("e2", 0.9f), kT0));
  EXPECT_EQ(ids.pending_reads("a", 1), 1);
  EXPECT_EQ(ids.pending_reads("b", 1), 1);
  EXPECT_EQ(ids.add_read("b", 1, known("e2", 0.9f), kT0)->employee_id, "e2");
}

}  // namespace
}  // namespace fai
