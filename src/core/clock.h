#pragma once
// Wall-clock helpers: ISO-8601 UTC timestamps with millisecond precision (the API's format).

#include <chrono>
#include <optional>
#include <string>

namespace fai {

using SystemTime = std::chrono::system_clock::time_point;

// Milliseconds since the Unix epoch, as the database and the spools store times.
inline long long epoch_ms(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline SystemTime from_epoch_ms(long long ms) {
  return SystemTime(std::chrono::milliseconds(ms));
}

// "2026-11-25T15:40:54.123Z"
std::string iso8601_utc(SystemTime t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM|-HH:MM]"; nullopt when malformed.
std::optional<SystemTime> parse_iso8601(const std::string& text);

}  // namespace fai
