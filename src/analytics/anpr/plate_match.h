#pragma once
// Matching a read plate against the white/black lists: a weighted edit distance that forgives
// the recogniser's look-alike slips (O/0, I/1, B/8, S/5, Z/2, G/6 cost half a substitution) and
// each entry's validity window. Pure code.

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/plate_list.h"

namespace fai {

// What matching needs of a list entry.
struct ListedPlate {
  std::string plate;  // normalised
  PlateList list = PlateList::kWhitelist;
  std::optional<SystemTime> valid_from, valid_until;  // absent = open-ended
  bool valid_at(SystemTime t) const;
};

// Levenshtein distance with insertions, deletions and substitutions costing 1, except a
// substitution between look-alikes, which costs 0.5.
float plate_distance(const std::string& a, const std::string& b);

// Upper-cases and drops everything but [A-Z0-9] ("ka-01 ab 1234" -> "KA01AB1234").
std::string normalize_plate_text(const std::string& text);

struct PlateMatch {
  size_t index = 0;  // into the entries given
  float distance = 0;
};

// The closest entry valid at `at` within `max_distance`; on a tie a blacklist entry wins (an
// alert too many beats a barrier opened for the wrong vehicle). Nullopt when none is close.
std::optional<PlateMatch> match_plate(const std::string& plate,
                                      const std::vector<ListedPlate>& entries, SystemTime at,
                                      float max_distance);

}  // namespace fai
