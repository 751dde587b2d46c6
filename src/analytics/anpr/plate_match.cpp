#include "analytics/anpr/plate_match.h"

#include <algorithm>
#include <cctype>

namespace fai {
namespace {

constexpr float kLookalikeCost = 0.5f;

// Characters in one group are printed alike on plates.
int lookalike_group(char c) {
  switch (c) {
    case 'O':
    case '0':
    case 'D':
    case 'Q':
      return 1;
    case 'I':
    case '1':
    case 'L':
      return 2;
    case 'B':
    case '8':
      return 3;
    case 'S':
    case '5':
      return 4;
    case 'Z':
    case '2':
      return 5;
    case 'G':
    case '6':
      return 6;
    default:
      return 0;
  }
}

float substitution_cost(char a, char b) {
  if (a == b) return 0;
  const int group = lookalike_group(a);
  return group != 0 && group == lookalike_group(b) ? kLookalikeCost : 1.0f;
}

}  // namespace

bool ListedPlate::valid_at(SystemTime t) const {
  return (!valid_from || t >= *valid_from) && (!valid_until || t <= *valid_until);
}

float plate_distance(const std::string& a, const std::string& b) {
  std::vector<float> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = static_cast<float>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = static_cast<float>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1,
                             previous[j - 1] + substitution_cost(a[i - 1], b[j - 1])});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string normalize_plate_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 128 && std::isalnum(u)) out += static_cast<char>(std::toupper(u));
  }
  return out;
}

std::optional<PlateMatch> match_plate(const std::string& plate,
                                      const std::vector<ListedPlate>& entries, SystemTime at,
                                      float max_distance) {
  std::optional<PlateMatch> best;
  for (size_t i = 0; i < entries.size(); ++i) {
    const ListedPlate& e = entries[i];
    if (!e.valid_at(at)) continue;
    const float d = plate_distance(plate, e.plate);
    if (d > max_distance) continue;
    const bool closer = !best || d < best->distance;
    const bool tie_to_blacklist = best && d == best->distance && e.list == PlateList::kBlacklist &&
                                  entries[best->index].list != PlateList::kBlacklist;
    if (closer || tie_to_blacklist) best = PlateMatch{i, d};
  }
  return best;
}

}  // namespace fai
