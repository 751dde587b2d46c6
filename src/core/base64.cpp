#include "core/base64.h"

#include <array>

namespace fai {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr int8_t kInvalid = -1;
constexpr int8_t kSkip = -2;

constexpr std::array<int8_t, 256> make_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  t['-'] = 62;  // URL-safe alphabet
  t['_'] = 63;
  for (char c : {'\n', '\r', ' ', '\t'}) t[static_cast<uint8_t>(c)] = kSkip;
  return t;
}
constexpr auto kTable = make_table();

std::string_view strip_data_url(std::string_view text) {
  if (text.substr(0, 5) != "data:") return text;
  const auto comma = text.find(',');
  const auto marker = text.find(";base64");
  if (comma == std::string_view::npos || marker == std::string_view::npos || marker > comma) {
    return text;  // not a base64 data URL: let the decoder report the ':' as invalid
  }
  return text.substr(comma + 1);
}

Error bad_char(size_t pos) {
  return make_error(ErrorCode::kInvalidArgument,
                    "invalid base64: unexpected character at position " + std::to_string(pos));
}

}  // namespace

Expected<std::vector<uint8_t>> base64_decode(std::string_view text) {
  text = strip_data_url(text);
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0, padding = 0, symbols = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c == '=') {
      ++padding;
      continue;
    }
    const int8_t v = kTable[c];
    if (v == kSkip) continue;
    if (v == kInvalid || padding > 0) return bad_char(i);  // data after '=' is invalid too
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    ++symbols;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
    }
  }
  if (symbols % 4 == 1 || padding > 2 || (padding > 0 && (symbols + padding) % 4 != 0)) {
    return make_error(ErrorCode::kInvalidArgument, "invalid base64: wrong length or padding");
  }
  return out;
}

std::string base64_encode(const uint8_t* data, size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (size_t i = 0; i < size; i += 3) {
    const uint32_t n = (uint32_t{data[i]} << 16) | (i + 1 < size ? uint32_t{data[i + 1]} << 8 : 0) |
                       (i + 2 < size ? uint32_t{data[i + 2]} : 0);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < size ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back(i + 2 < size ? kAlphabet[n & 63] : '=');
  }
  return out;
}

}  // namespace fai
