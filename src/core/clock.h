#pragma once
// Wall-clock helpers: ISO-8601 UTC timestamps with millisecond precision (the API's format).

#include <chrono>
#include <optional>
#include <string>

namespace fai {

using SystemTime = std::chrono::system_clock::time_point;

// "2026-11-25T15:40:54.123Z"
std::string iso8601_utc(SystemTime t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]"; nullopt when malformed.
std::optional<SystemTime> parse_iso8601(const std::string& text);

}  // namespace fai
