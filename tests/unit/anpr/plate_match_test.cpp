// List matching: look-alike-aware edit distance, validity windows, blacklist on ties.

#include "analytics/anpr/plate_match.h"

#include <gtest/gtest.h>

namespace fai {
namespace {

SystemTime day(int d) {
  return SystemTime(std::chrono::hours(24 * (20000 + d)));
}

TEST(PlateDistance, CountsEditsAndForgivesLookalikesByHalf) {
  EXPECT_EQ(plate_distance("KA01AB1234", "KA01AB1234"), 0.0f);
  EXPECT_EQ(plate_distance("KA01AB1234", "KA01AB1235"), 1.0f);   // a real difference
  EXPECT_EQ(plate_distance("KA01AB1234", "KAO1AB1234"), 0.5f);   // 0 read as O
  EXPECT_EQ(plate_distance("KA01AB1234", "KA01A81234"), 0.5f);   // B read as 8
  EXPECT_EQ(plate_distance("KA01AB1234", "KA01AB123"), 1.0f);    // a dropped character
  EXPECT_EQ(plate_distance("KA01AB1234", "XKA01AB1234"), 1.0f);  // an extra one
  EXPECT_EQ(plate_distance("", "AB"), 2.0f);
  EXPECT_EQ(plate_distance("S5Z2", "5S2Z"), 2.0f);
}

TEST(NormalizePlateText, UpperCasesAndStripsSeparators) {
  EXPECT_EQ(normalize_plate_text("ka-01 ab.1234"), "KA01AB1234");
  EXPECT_EQ(normalize_plate_text(" \xC3\xA9x9 "), "X9");
}

TEST(MatchPlate, TakesTheClosestValidEntryWithinTheDistance) {
  const std::vector<ListedPlate> lists = {
      {"KA01AB1234", PlateList::kWhitelist, std::nullopt, std::nullopt},
      {"MH12DE1433", PlateList::kBlacklist, std::nullopt, std::nullopt},
  };
  auto m = match_plate("KA01A81234", lists, day(0), 1.0f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->index, 0u);
  EXPECT_EQ(m->distance, 0.5f);
  m = match_plate("MH12DE1433", lists, day(0), 0.0f);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->index, 1u);
  EXPECT_FALSE(match_plate("MH12DE9999", lists, day(0), 1.0f));
  EXPECT_FALSE(match_plate("KA01AB1235", lists, day(0), 0.5f));  // not a look-alike
}

TEST(MatchPlate, HonoursTheValidityWindow) {
  const std::vector<ListedPlate> lists = {
      {"AB123", PlateList::kWhitelist, day(10), day(20)},
  };
  EXPECT_FALSE(match_plate("AB123", lists, day(9), 1.0f));
  EXPECT_TRUE(match_plate("AB123", lists, day(10), 1.0f));
  EXPECT_TRUE(match_plate("AB123", lists, day(20), 1.0f));
  EXPECT_FALSE(match_plate("AB123", lists, day(21), 1.0f));
}

TEST(MatchPlate, ABlacklistEntryWinsATie) {
  const std::vector<ListedPlate> lists = {
      {"AB1234", PlateList::kWhitelist, std::nullopt, std::nullopt},
      {"AB1236", PlateList::kBlacklist, std::nullopt, std::nullopt},
  };
  auto m = match_plate("AB1235", lists, day(0), 1.0f);
  ASSERT_TRUE(m);
  EXPECT_EQ(lists[m->index].list, PlateList::kBlacklist);
}

}  // namespace
}  // namespace fai
