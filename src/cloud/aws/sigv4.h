#pragma once
// AWS Signature Version 4 (header-based), as pure functions so the reference test suite and the
// fake Rekognition server can check every intermediate string, not only the final signature.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace fai::aws {

// A request as the signer sees it. `path` is the decoded path (what the suite's .req files
// hold); it is normalised and percent-encoded once here. `query` is the text after '?', either
// raw or percent-encoded: it is decoded and re-encoded, so both forms sign the same. Headers keep
// arrival order; a value may hold '\n' continuation lines (folded headers).
struct HttpRequest {
  std::string method;
  std::string path = "/";
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct SigningParams {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region;
  std::string service;
  std::string amz_date;  // "20150830T123600Z": must equal the request's X-Amz-Date header
};

// Every intermediate of one signature; `authorization` is the Authorization header value.
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;
};

// Signs every header present in `request` (the caller adds Host and X-Amz-Date first, and adds a
// session token before signing when the service wants it signed). Pure and thread-safe.
Signature sign(const HttpRequest& request, const SigningParams& params);

// The steps of sign(), exposed for tests and for servers that verify signatures.
std::string canonical_request(const HttpRequest& request);
std::string signed_header_names(const HttpRequest& request);  // "host;x-amz-date"
std::string string_to_sign(std::string_view canonical_request, const SigningParams& params);
std::string signing_key(const SigningParams& params);  // 32 raw bytes
std::string hex_sha256(std::string_view data);
std::string hex_hmac_sha256(std::string_view key, std::string_view data);

// "20150830T123600Z" for `t` in UTC.
std::string amz_date(SystemTime t);

}  // namespace fai::aws
