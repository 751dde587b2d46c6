#include "analytics/anpr/plate_format.h"

#include <gtest/gtest.h>

namespace fai {
namespace {

std::vector<PlateChar> chars_of(const std::string& text, float confidence = 0.9f) {
  std::vector<PlateChar> out;
  for (char c : text) out.push_back({c, confidence});
  return out;
}

std::vector<PlateFormat> formats(const std::vector<std::string>& names) {
  std::vector<PlateFormat> out;
  for (const auto& n : names) out.push_back(*find_format(n));
  return out;
}

TEST(NormalizePlate, KeepsCapitalsAndDigitsWithTheirConfidences) {
  const std::vector<std::string> glyphs = {"K", "A", "-", "0", "1", " ", "A", ".", "\xe4\xb8\xad",
                                           "9"};
  const std::vector<float> conf = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, 1.0f};
  const auto chars = normalize_plate(glyphs, conf);
  EXPECT_EQ(plate_text(chars), "KA01A9");
  ASSERT_EQ(chars.size(), 6u);
  EXPECT_FLOAT_EQ(chars[0].confidence, 0.1f);
  EXPECT_FLOAT_EQ(chars[5].confidence, 1.0f);
}

TEST(NormalizePlate, DropsLowerCaseGlyphsThatStandForEmblems) {
  const std::vector<std::string> glyphs = {"P", "J", "2", "u", "X", "1", "V"};
  const auto chars = normalize_plate(glyphs, std::vector<float>(glyphs.size(), 0.9f));
  EXPECT_EQ(plate_text(chars), "PJ2X1V");
}

TEST(FindFormat, KnowsEveryListedPresetAndRejectsOthers) {
  for (const auto& name : format_names()) EXPECT_TRUE(find_format(name)) << name;
  EXPECT_FALSE(find_format("xx"));
}

struct FitCase {
  std::string format, text;
  bool fits;
};

TEST(FitsFormat, Table) {
  const FitCase cases[] = {
      {"in", "KA01AB1234", true}, {"in", "MH12DE1433", true},   {"in", "DL3CAB1234", true},
      {"in", "KA011234", true},   {"in", "KA01ABC1234", true},  {"in", "K001AB1234", false},
      {"in", "KA01AB123", false}, {"in", "KA123AB1234", false}, {"in", "KA01ABCD1234", false},
      {"eu", "M5XSX", true},      {"eu", "GWAGEN", true},       {"eu", "WA56660", true},
      {"eu", "ABC", false},       {"eu", "ABCDEFGHJ", false},   {"us", "7ABC123", true},
      {"us", "AB", true},         {"us", "A", false},           {"us", "ABCDEFGHJ", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(fits_format(c.text, *find_format(c.format)), c.fits) << c.format << " " << c.text;
  }
}

struct CorrectionCase {
  std::vector<std::string> formats;
  std::string read;
  std::string expected;  // "" = fits no preset
  int corrections;
};

TEST(MatchFormats, LookAlikeCorrectionTable) {
  const CorrectionCase cases[] = {
      {{"in"}, "KA01AB1234", "KA01AB1234", 0},        // valid: untouched
      {{"in"}, "KAO1AB1234", "KA01AB1234", 1},        // O in a digit run
      {{"in"}, "KA0IAB1234", "KA0IAB1234", 0},        // valid as KA 0 IAB 1234: never rewritten
      {{"in"}, "8A01AB1234", "BA01AB1234", 1},        // 8 in the state letters
      {{"in"}, "KA01A81234", "KA01AB1234", 1},        // 8 in the series letters
      {{"in"}, "KA01ABI2S4", "KA01AB1254", 2},        // I and S in the number
      {{"in"}, "KA01AB1Z34", "KA01AB1234", 1},        // Z in the number
      {{"in"}, "5A01AB1234", "SA01AB1234", 1},        // 5 in the state letters
      {{"in"}, "KA01AB12G4", "KA01AB1264", 1},        // G in the number
      {{"in"}, "KA01AB12D4", "KA01AB1204", 1},        // D in the number
      {{"in"}, "KA01AB12X4", "", 0},                  // X has no digit look-alike
      {{"in"}, "KA01AB12", "", 0},                    // too short for India
      {{"eu", "us"}, "7ABC0O1", "7ABC0O1", 0},        // EU never rewrites O/0
      {{"us"}, "7ABC0O1", "7ABC001", 0},              // US prints O and 0 alike and writes 0
      {{"us"}, "7ABC001", "7ABC001", 0},              // ... and never turns 0 into O
      {{"in", "eu"}, "GWAGEN", "GWAGEN", 0},          // fits EU as read: India is not forced on it
      {{"in", "us"}, "KAO1AB1234", "KA01AB1234", 1},  // 10 chars: only India can fit
      {{"eu"}, "RK896A0", "RK896AO", 1},              // LL NNN LL: a letter O at the end
      {{"eu"}, "BA3020Z", "BA302OZ", 1},              // ... and in the second letter pair
      {{"eu"}, "N0626AT", "NO626AT", 1},              // ... and in the first
      {{"eu"}, "RK857A1", "RK857AI", 1},              // I read as 1 in a letter position
      {{"eu"}, "AB12CDE", "AB12CDE", 0},              // LL NN LLL fits as read
      {{"eu"}, "1234567", "1234567", 0},              // no layout within 2: generic, as read
      {{"eu"}, "GWAGEN", "GWAGEN", 0},                // a vanity plate stays as read
      {{"us"}, "CJBP4V", "CJ8P4V", 1},                // Missouri LL N L N L: B in a digit place
      {{"us"}, "DL9EIU", "DL9E1U", 1},                // ... I in the other
      {{"us"}, "CKOAIF", "CK0A1F", 1},                // the fold of O is no correction
      {{"us"}, "CC2881", "CC2881", 0},                // LL NNNN: two from Missouri, left as read
      {{"us"}, "7ABC123", "7ABC123", 0},              // other US plates as read
  };
  for (const auto& c : cases) {
    const auto match = match_formats(chars_of(c.read), formats(c.formats));
    if (c.expected.empty()) {
      EXPECT_FALSE(match) << c.read;
      continue;
    }
    ASSERT_TRUE(match) << c.read;
    EXPECT_EQ(plate_text(match->chars), c.expected) << c.read;
    EXPECT_EQ(match->corrections, c.corrections) << c.read;
  }
}

TEST(MatchFormats, SureGlyphsAreOnlySwappedWithTheirTwins) {
  // WA56660 at 99 %: a Polish LL NNNNN, not a Slovak LL NNN LL with 6 -> G and 0 -> O.
  auto match = match_formats(chars_of("WA56660", 0.99f), formats({"eu"}));
  ASSERT_TRUE(match);
  EXPECT_EQ(plate_text(match->chars), "WA56660");
  // The same read with an unsure 6 does take the layout.
  auto unsure = chars_of("WA56660", 0.99f);
  unsure[5].confidence = 0.6f;
  match = match_formats(unsure, formats({"eu"}));
  ASSERT_TRUE(match);
  EXPECT_EQ(plate_text(match->chars), "WA566GO");
  // 0 and O are drawn alike: a sure 0 in a letter position still becomes O.
  match = match_formats(chars_of("RK896A0", 0.99f), formats({"eu"}));
  ASSERT_TRUE(match);
  EXPECT_EQ(plate_text(match->chars), "RK896AO");
  // D is no twin of 0: a sure D in India's number is not rewritten, so the read fits nothing.
  EXPECT_FALSE(match_formats(chars_of("KA01AB12D4", 0.99f), formats({"in"})));
}

// A mark between character groups read as a weak character: a layout may drop it.
TEST(MatchFormats, AWeakExtraCharacterMayBeDroppedToFitALayout) {
  auto read = chars_of("DH5DX9P", 0.9f);
  read[3].confidence = 0.53f;
  auto match = match_formats(read, formats({"us"}));
  ASSERT_TRUE(match);
  EXPECT_EQ(plate_text(match->chars), "DH5X9P");
  EXPECT_EQ(match->corrections, 1);
  // Read surely, the character stays: the read is a generic US plate as read.
  match = match_formats(chars_of("DH5DX9P", 0.9f), formats({"us"}));
  ASSERT_TRUE(match);
  EXPECT_EQ(plate_text(match->chars), "DH5DX9P");
  // A drop and a substitution are two: over Missouri's one.
  read = chars_of("DH5DXIP", 0.9f);
  read[3].confidence = 0.53f;
  match = match_formats(read, formats({"us"}));
  ASSERT_TRUE(match);
  EXPECT_EQ(plate_text(match->chars), "DH5DXIP");
  // EU layouts allow two: Slovakia's LL NNN LL with a weak sticker read as 8 in the middle.
  read = chars_of("BA3028AB", 0.9f);
  read[5].confidence = 0.4f;
  match = match_formats(read, formats({"eu"}));
  ASSERT_TRUE(match);
  EXPECT_EQ(plate_text(match->chars), "BA302AB");
}

TEST(MatchFormats, CorrectionKeepsConfidences) {
  auto read = chars_of("KAO1AB1234");
  read[2].confidence = 0.4f;
  const auto match = match_formats(read, formats({"in"}));
  ASSERT_TRUE(match);
  EXPECT_EQ(match->format, "in");
  EXPECT_FLOAT_EQ(match->chars[2].confidence, 0.4f);
}

TEST(LooksLikeDate, CalendarDatesOfEightDigitsOnly) {
  for (const char* date : {"20140512", "19991231", "20990101", "20240229", "ZO140512"}) {
    EXPECT_TRUE(looks_like_date(date)) << date;
  }
  for (const char* plate : {"2014051", "201405123", "20141312", "20140500", "20140532", "18991231",
                            "21000101", "1049338", "ZO14OS12", "KA01AB12"}) {
    EXPECT_FALSE(looks_like_date(plate)) << plate;
  }
}

TEST(LooksLikeTime, HoursMinutesAndSecondsOnly) {
  for (const char* time : {"14:24:45", "9:05:00", "2014-05-12 23:59:59"}) {
    EXPECT_TRUE(looks_like_time(time)) << time;
  }
  for (const char* plate :
       {"FNY-881", "CCLVN-3", "14 24", "AB:CD", "1B25:790", "14:24", "24:10:10", "123:45:67"}) {
    EXPECT_FALSE(looks_like_time(plate)) << plate;
  }
}

}  // namespace
}  // namespace fai
