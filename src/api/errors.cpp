#include "api/errors.h"

#include <nlohmann/json.hpp>

namespace fai::api {

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kUnsupported:
      return 415;
    case ErrorCode::kCorrupt:
      return 422;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kOverloaded:
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

void send_error(httplib::Response& res, const Error& error) {
  res.status = http_status(error.code);
  if (error.code == ErrorCode::kOverloaded || error.code == ErrorCode::kUnavailable) {
    res.set_header("Retry-After", "1");
  }
  const nlohmann::json body = {
      {"success", false}, {"error", {{"code", to_string(error.code)}, {"message", error.message}}}};
  res.set_content(body.dump(), "application/json");
}

}  // namespace fai::api
