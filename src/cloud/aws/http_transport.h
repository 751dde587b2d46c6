#pragma once
// One blocking HTTPS POST over libcurl: the only place that knows libcurl. Each call uses its
// own easy handle, so it is safe from any number of threads.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/expected.h"

namespace fai::aws {

struct HttpResponse {
  long status = 0;
  std::string body;
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{2000};
  std::chrono::milliseconds total{10000};
};

// Sends `body` to `url` with exactly `headers` (curl adds none of its own that matter for
// signing: Expect and Accept are suppressed). Any HTTP status is a value; kUnavailable only
// when no response arrived (DNS, connect, TLS, timeout), with curl's reason in the message.
Expected<HttpResponse> http_post(const std::string& url,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const std::string& body, const HttpTimeouts& timeouts);

}  // namespace fai::aws
