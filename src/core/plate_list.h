#pragma once
// Which list a vehicle plate is on; shared by the store (table vehicles) and plate matching.

#include <optional>
#include <string>

namespace fai {

enum class PlateList { kWhitelist, kBlacklist };

inline const char* to_string(PlateList list) {
  return list == PlateList::kBlacklist ? "blacklist" : "whitelist";
}

inline std::optional<PlateList> parse_plate_list(const std::string& text) {
  if (text == "whitelist") return PlateList::kWhitelist;
  if (text == "blacklist") return PlateList::kBlacklist;
  return std::nullopt;
}

}  // namespace fai
