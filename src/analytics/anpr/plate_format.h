#pragma once
// Plate text rules: normalisation (upper-case, separators stripped), country format presets and
// position-aware correction of look-alike characters (O/0, I/1, B/8, S/5, Z/2, G/6). Pure code.

#include <optional>
#include <string>
#include <vector>

namespace fai {

// One character read by the recogniser with its confidence (0..1).
struct PlateChar {
  char symbol = 0;
  float confidence = 0;
  bool operator==(const PlateChar&) const = default;
};

// Keeps [A-Z0-9] with each character's confidence and drops everything else (spaces, dots,
// dashes, non-ASCII glyphs, and lower-case letters: plates carry none, and the recogniser reads an
// emblem or a sticker between plate characters as one, "KMuBORAK", "PJ2uX1V").
// `glyphs` are UTF-8 strings, one per recognised character, parallel to `confidences`.
std::vector<PlateChar> normalize_plate(const std::vector<std::string>& glyphs,
                                       const std::vector<float>& confidences);
std::string plate_text(const std::vector<PlateChar>& chars);

enum class CharClass { kLetter, kDigit, kAny };

// A run of 'min..max' characters of one class; a preset is a sequence of runs.
struct FormatRun {
  CharClass kind = CharClass::kAny;
  int min = 1, max = 1;
};

inline constexpr int kMaxLayoutCorrections = 2;

// A country's plate layout, e.g. India: 2 letters, 1-2 digits, 0-3 letters, 4 digits.
struct PlateFormat {
  std::string name;
  std::vector<FormatRun> runs;
  // Characters this country prints with one glyph, rewritten to the canonical one after a match:
  // US plates share one glyph for O and 0 and most states issue no letter O, so "us" reads 0.
  std::string fold_from, fold_to;
  // Common national layouts inside a generic preset (EU: LL NNN LL, LL NN LLL, NNNN LLL; US:
  // Missouri's LL N L N L): a read that fits one of them with at most max_layout_corrections
  // corrections (see match_formats) is corrected to it, before the generic `runs` accept it as
  // read.
  std::vector<std::vector<FormatRun>> layouts;
  int max_layout_corrections = kMaxLayoutCorrections;  // for `layouts` and specific `runs`
};

// The built-in presets: "in" (KA01AB1234), "eu" (4-8 alphanumerics), "us" (2-8 alphanumerics).
// The generic ones constrain only length: EU and US plates mix letters and digits freely (a US
// plate may hold 0 between letters), so no position demands a class; "us" folds O into 0.
// Unknown names -> nullopt.
std::optional<PlateFormat> find_format(const std::string& name);
const std::vector<std::string>& format_names();

// True when `text` fits `format` exactly, without any correction.
bool fits_format(const std::string& text, const PlateFormat& format);

// True for a camera's burned-in date read as text: eight digits (at most two of them read as a
// look-alike letter, "ZO140512") forming a calendar date YYYYMMDD between 1990 and 2099. CCTV
// overlays print it in large digits, and the reader would otherwise rank it like a plate; real
// eight-character plates that are also valid dates are rare.
bool looks_like_date(const std::string& text);
// True for recogniser text decoded with ":" allowed (TextRead::punctuated) that holds a time of
// day with seconds ("14:24:45"): the other half of the overlay.
bool looks_like_time(const std::string& punctuated_text);

struct FormatMatch {
  std::vector<PlateChar> chars;  // corrected characters
  std::string format;            // name of the preset that matched
  int corrections = 0;           // look-alike substitutions made
};

// First the specific layouts (presets whose runs demand letters or digits, and the national
// layouts of the generic ones): the one that fits with the fewest corrections, at most the
// preset's max_layout_corrections, earlier presets winning ties. A correction is a look-alike
// substitution or dropping the weakest character when it was read under 70 % (a mark between
// character groups read as one); the preset's fold is none. Failing that, the first preset (in
// order) that `chars` fits as read; failing that, the preset that fits with the fewest
// substitutions. A read that fits as read is only changed by its preset's fold. Nullopt when no
// preset fits.
std::optional<FormatMatch> match_formats(const std::vector<PlateChar>& chars,
                                         const std::vector<PlateFormat>& formats);

}  // namespace fai
