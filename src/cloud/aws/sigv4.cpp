#include "cloud/aws/sigv4.h"

#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>

namespace fai::aws {
namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    hex += kDigits[data[i] >> 4];
    hex += kDigits[data[i] & 0xf];
  }
  return hex;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_size);
  return std::string(reinterpret_cast<const char*>(mac), mac_size);
}

// ASCII only: std::isalnum would follow the locale and could keep UTF-8 bytes literal.
bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// RFC 3986 percent-encoding with AWS's rule: only unreserved characters stay literal.
std::string uri_encode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (is_unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0xf];
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Malformed escapes stay literal: the signature must still be computable for any input.
std::string uri_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t pos; (pos = text.find(separator, start)) != std::string_view::npos; start = pos + 1) {
    parts.push_back(text.substr(start, pos - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

// RFC 3986 dot-segment removal plus collapsing of empty segments (non-S3 services).
std::string canonical_path(std::string_view path) {
  std::vector<std::string_view> kept;
  const auto segments = split(path, '/');
  for (const auto segment : segments) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(segment);
  }
  std::string out;
  for (const auto segment : kept) out += "/" + uri_encode(segment);
  const auto last = segments.back();
  const bool trailing_slash = last.empty() || last == "." || last == "..";
  if (out.empty() || trailing_slash) out += '/';
  return out;
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto param : split(query, '&')) {
    if (param.empty()) continue;
    const size_t eq = param.find('=');
    const auto key = param.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
    params.emplace_back(uri_encode(uri_decode(key)), uri_encode(uri_decode(value)));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += key + "=" + value;
  }
  return out;
}

// Trims each line of a (possibly folded) value, squeezes inner whitespace runs to one space and
// joins the lines with ',', as the reference does for multiline headers.
std::string canonical_header_value(std::string_view value) {
  std::string out;
  for (const auto line : split(value, '\n')) {
    std::string squeezed;
    for (const unsigned char c : line) {
      if (std::isspace(c)) {
        if (!squeezed.empty() && squeezed.back() != ' ') squeezed += ' ';
      } else {
        squeezed += static_cast<char>(c);
      }
    }
    if (!squeezed.empty() && squeezed.back() == ' ') squeezed.pop_back();
    if (squeezed.empty()) continue;
    if (!out.empty()) out += ',';
    out += squeezed;
  }
  return out;
}

// Lower-cased names, sorted; duplicate names keep their values in arrival order.
std::map<std::string, std::string> canonical_headers(const HttpRequest& request) {
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, inserted] = headers.try_emplace(lower, canonical_header_value(value));
    if (!inserted) it->second += "," + canonical_header_value(value);
  }
  return headers;
}

std::string credential_scope(const SigningParams& params) {
  return params.amz_date.substr(0, 8) + "/" + params.region + "/" + params.service +
         "/aws4_request";
}

}  // namespace

std::string hex_sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return to_hex(digest, sizeof digest);
}

std::string hex_hmac_sha256(std::string_view key, std::string_view data) {
  const std::string mac = hmac_sha256(key, data);
  return to_hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

std::string signed_header_names(const HttpRequest& request) {
  std::string names;
  for (const auto& [name, value] : canonical_headers(request)) {
    if (!names.empty()) names += ';';
    names += name;
  }
  return names;
}

std::string canonical_request(const HttpRequest& request) {
  std::string headers;
  for (const auto& [name, value] : canonical_headers(request)) headers += name + ":" + value + "\n";
  return request.method + "\n" + canonical_path(request.path) + "\n" +
         canonical_query(request.query) + "\n" + headers + "\n" + signed_header_names(request) +
         "\n" + hex_sha256(request.body);
}

std::string string_to_sign(std::string_view canonical_request, const SigningParams& params) {
  return std::string(kAlgorithm) + "\n" + params.amz_date + "\n" + credential_scope(params) + "\n" +
         hex_sha256(canonical_request);
}

std::string signing_key(const SigningParams& params) {
  const std::string date_key =
      hmac_sha256("AWS4" + params.secret_access_key, params.amz_date.substr(0, 8));
  const std::string region_key = hmac_sha256(date_key, params.region);
  const std::string service_key = hmac_sha256(region_key, params.service);
  return hmac_sha256(service_key, "aws4_request");
}

Signature sign(const HttpRequest& request, const SigningParams& params) {
  Signature signature;
  signature.canonical_request = canonical_request(request);
  signature.string_to_sign = string_to_sign(signature.canonical_request, params);
  signature.authorization =
      std::string(kAlgorithm) + " Credential=" + params.access_key_id + "/" +
      credential_scope(params) + ", SignedHeaders=" + signed_header_names(request) +
      ", Signature=" + hex_hmac_sha256(signing_key(params), signature.string_to_sign);
  return signature;
}

std::string amz_date(SystemTime t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace fai::aws
