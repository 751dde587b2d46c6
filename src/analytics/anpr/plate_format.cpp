#include "analytics/anpr/plate_format.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <regex>

namespace fai {
namespace {

constexpr int kNoFit = std::numeric_limits<int>::max() / 2;

const std::map<std::string, PlateFormat>& presets() {
  using C = CharClass;
  static const std::map<std::string, PlateFormat> kPresets = {
      {"in",
       {"in",
        {{C::kLetter, 2, 2}, {C::kDigit, 1, 2}, {C::kLetter, 0, 3}, {C::kDigit, 4, 4}},
        "",
        "",
        {}}},
      // Slovakia, France, Italy (LL NNN LL), the UK (LL NN LLL), Spain (NNNN LLL).
      {"eu",
       {"eu",
        {{C::kAny, 4, 8}},
        "",
        "",
        {{{C::kLetter, 2, 2}, {C::kDigit, 3, 3}, {C::kLetter, 2, 2}},
         {{C::kLetter, 2, 2}, {C::kDigit, 2, 2}, {C::kLetter, 3, 3}},
         {{C::kDigit, 4, 4}, {C::kLetter, 3, 3}}}}},
      // Missouri (LL N L N L, "CJ8 P4V"), one substitution at most: an LL NNNN plate with a weak 8
      // and 1 is two away from it. California's N LLL NNN gained nothing on openalpr us, the
      // common LLL NNNN lost a plate; see docs/decisions.md.
      {"us",
       {"us",
        {{C::kAny, 2, 8}},
        "O",
        "0",
        {{{C::kLetter, 2, 2},
          {C::kDigit, 1, 1},
          {C::kLetter, 1, 1},
          {C::kDigit, 1, 1},
          {C::kLetter, 1, 1}}},
        1}},
  };
  return kPresets;
}

// Look-alikes a recogniser confuses; only used where a preset demands the other class.
char as_digit(char c) {
  switch (c) {
    case 'O':
    case 'D':
    case 'Q':
      return '0';
    case 'I':
      return '1';
    case 'Z':
      return '2';
    case 'S':
      return '5';
    case 'G':
      return '6';
    case 'B':
      return '8';
    default:
      return 0;
  }
}

char as_letter(char c) {
  switch (c) {
    case '0':
      return 'O';
    case '1':
      return 'I';
    case '2':
      return 'Z';
    case '5':
      return 'S';
    case '6':
      return 'G';
    case '8':
      return 'B';
    default:
      return 0;
  }
}

bool is_class(char c, CharClass kind) {
  const bool digit = std::isdigit(static_cast<unsigned char>(c)) != 0;
  return kind == CharClass::kAny || (kind == CharClass::kDigit) == digit;
}

// `c` made to fit `kind`, or 0 when it has no look-alike of that class.
char coerce(char c, CharClass kind) {
  if (is_class(c, kind)) return c;
  return kind == CharClass::kDigit ? as_digit(c) : as_letter(c);
}

// A glyph read this surely is only rewritten into its near-twin (O/0, I/1, drawn alike by many
// plate fonts): a Polish "WA56660" read at 99 % is not a Slovak LL NNN LL "WA566GO".
constexpr float kSureGlyph = 0.95f;

// An emblem or a sticker between a plate's characters is read as a weak one ("DH5DX9P" for
// Missouri's DH5 X9P): a layout may drop one character read under this, as one correction.
constexpr float kWeakGlyph = 0.7f;

bool is_twin_swap(char from, char to) {
  const auto pair = [&](char a, char b) {
    return (from == a && to == b) || (from == b && to == a);
  };
  return pair('O', '0') || pair('I', '1');
}

// `c` made to fit `kind`, or 0 when no look-alike of that class may replace it.
char corrected(const PlateChar& c, CharClass kind) {
  const char fixed = coerce(c.symbol, kind);
  if (fixed == c.symbol || is_twin_swap(c.symbol, fixed) || c.confidence < kSureGlyph) return fixed;
  return 0;
}

// Fewest substitutions that make chars[pos..] fit runs[run..]; writes the fixed symbols to `out`.
int best_fit(const std::vector<PlateChar>& chars, size_t pos, const std::vector<FormatRun>& runs,
             size_t run, std::vector<PlateChar>& out) {
  if (run == runs.size()) return pos == chars.size() ? 0 : kNoFit;
  const FormatRun& r = runs[run];
  int best = kNoFit;
  std::vector<PlateChar> best_out;
  for (int len = r.min; len <= r.max && pos + len <= chars.size(); ++len) {
    std::vector<PlateChar> attempt = out;
    int cost = 0;
    for (size_t i = pos; i < pos + len && cost < kNoFit; ++i) {
      const char fixed = corrected(chars[i], r.kind);
      cost = fixed == 0 ? kNoFit : cost + (fixed != chars[i].symbol);
      attempt[i].symbol = fixed;
    }
    if (cost >= best) continue;
    const int rest = best_fit(chars, pos + len, runs, run + 1, attempt);
    if (rest < kNoFit && cost + rest < best) {
      best = cost + rest;
      best_out = std::move(attempt);
    }
  }
  if (best < kNoFit) out = std::move(best_out);
  return best;
}

FormatMatch folded(std::vector<PlateChar> chars, const PlateFormat& format, int corrections) {
  for (PlateChar& c : chars) {
    const size_t at = format.fold_from.find(c.symbol);
    if (at != std::string::npos) c.symbol = format.fold_to[at];
  }
  return {std::move(chars), format.name, corrections};
}

}  // namespace

std::vector<PlateChar> normalize_plate(const std::vector<std::string>& glyphs,
                                       const std::vector<float>& confidences) {
  std::vector<PlateChar> out;
  for (size_t i = 0; i < glyphs.size() && i < confidences.size(); ++i) {
    if (glyphs[i].size() != 1) continue;  // multi-byte UTF-8: not a plate character
    const auto c = static_cast<unsigned char>(glyphs[i][0]);
    if (std::isupper(c) || std::isdigit(c)) out.push_back({static_cast<char>(c), confidences[i]});
  }
  return out;
}

std::string plate_text(const std::vector<PlateChar>& chars) {
  std::string text;
  for (const PlateChar& c : chars) text += c.symbol;
  return text;
}

std::optional<PlateFormat> find_format(const std::string& name) {
  auto it = presets().find(name);
  if (it == presets().end()) return std::nullopt;
  return it->second;
}

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> kNames = {"in", "eu", "us"};
  return kNames;
}

bool fits_format(const std::string& text, const PlateFormat& format) {
  std::vector<PlateChar> chars;
  for (char c : text) chars.push_back({c, 1.0f});
  std::vector<PlateChar> out = chars;
  return best_fit(chars, 0, format.runs, 0, out) == 0;
}

namespace {

// `chars` without its weakest character when that one was read under kWeakGlyph, else empty.
std::vector<PlateChar> without_weakest(const std::vector<PlateChar>& chars) {
  auto weakest = std::min_element(
      chars.begin(), chars.end(),
      [](const PlateChar& a, const PlateChar& b) { return a.confidence < b.confidence; });
  if (weakest == chars.end() || weakest->confidence >= kWeakGlyph) return {};
  std::vector<PlateChar> out = chars;
  out.erase(out.begin() + (weakest - chars.begin()));
  return out;
}

bool is_specific(const std::vector<FormatRun>& runs) {
  return std::any_of(runs.begin(), runs.end(),
                     [](const FormatRun& r) { return r.kind != CharClass::kAny; });
}

}  // namespace

bool looks_like_date(const std::string& text) {
  if (text.size() != 8) return false;
  std::string digits;
  int read_as_digits = 0;
  for (char c : text) {
    const bool digit = std::isdigit(static_cast<unsigned char>(c));
    read_as_digits += digit;
    digits += digit ? c : as_digit(c);
  }
  // An overlay font's 2 and 0 read as Z and O: two look-alikes are allowed.
  if (read_as_digits < 6 || digits.find('\0') != std::string::npos) return false;
  const int year = std::stoi(digits.substr(0, 4)), month = std::stoi(digits.substr(4, 2)),
            day = std::stoi(digits.substr(6, 2));
  return year >= 1990 && year <= 2099 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool looks_like_time(const std::string& punctuated_text) {
  // Hours, minutes and seconds, as overlays print them: a plate separator read as ':' between
  // two digit groups ("1B25:790") must not match.
  static const std::regex kTime("(^|[^0-9])([01]?[0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]");
  return std::regex_search(punctuated_text, kTime);
}

std::optional<FormatMatch> match_formats(const std::vector<PlateChar>& chars,
                                         const std::vector<PlateFormat>& formats) {
  std::optional<FormatMatch> layout_match;
  for (const PlateFormat& format : formats) {
    std::vector<const std::vector<FormatRun>*> layouts;
    if (is_specific(format.runs)) layouts.push_back(&format.runs);
    for (const auto& layout : format.layouts) layouts.push_back(&layout);
    // The preset's own fold is no correction: a US "CKOAIF" is one (I -> 1) from Missouri's layout.
    const std::vector<PlateChar> read = folded(chars, format, 0).chars;
    const std::vector<PlateChar> shorter = without_weakest(read);
    for (const auto* layout : layouts) {
      for (const auto* attempt : {&read, &shorter}) {
        if (attempt->empty()) continue;
        std::vector<PlateChar> fixed = *attempt;
        const int dropped = attempt == &shorter ? 1 : 0;
        const int cost = best_fit(*attempt, 0, *layout, 0, fixed) + dropped;
        if (cost <= format.max_layout_corrections &&
            (!layout_match || cost < layout_match->corrections)) {
          layout_match = folded(fixed, format, cost);
        }
      }
    }
  }
  if (layout_match) return layout_match;
  std::optional<FormatMatch> best;
  for (const PlateFormat& format : formats) {
    std::vector<PlateChar> fixed = chars;
    const int cost = best_fit(chars, 0, format.runs, 0, fixed);
    if (cost == 0) return folded(chars, format, 0);
    if (cost < kNoFit && (!best || cost < best->corrections)) best = folded(fixed, format, cost);
  }
  return best;
}

}  // namespace fai
