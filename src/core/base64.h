#pragma once
// Strict base64 (RFC 4648) for frames sent as JSON strings.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.h"

namespace fai {

// Accepts standard or URL-safe alphabets, optional padding, embedded line breaks, and a
// "data:<type>;base64," prefix (what browsers produce). Anything else -> kInvalidArgument
// naming the offending position.
Expected<std::vector<uint8_t>> base64_decode(std::string_view text);
std::string base64_encode(const uint8_t* data, size_t size);

}  // namespace fai
