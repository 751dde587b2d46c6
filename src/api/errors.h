#pragma once
// The one place where error codes become HTTP status codes. Every error body is
// {"success": false, "error": {"code": "...", "message": "..."}}.

#include <httplib.h>

#include "core/expected.h"

namespace fai::api {

int http_status(ErrorCode code);
void send_error(httplib::Response& res, const Error& error);

}  // namespace fai::api
