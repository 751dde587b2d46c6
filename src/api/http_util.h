#pragma once
// Request parsing and response shaping shared by every route module: query parameters with
// range checks, the paged time-series envelope, JSON bodies and CSV downloads.

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "api/errors.h"
#include "core/clock.h"
#include "core/expected.h"
#include "store/store.h"

namespace fai::api {

void send_json(httplib::Response& res, const nlohmann::json& body, int status = 200);

// ?name= as an integer in [min, max]; `fallback` when absent.
Expected<int64_t> int_param(const httplib::Request& req, const char* name, int64_t fallback,
                            int64_t min, int64_t max);
// ?name= as ISO-8601; nullopt when absent.
Expected<std::optional<SystemTime>> time_param(const httplib::Request& req, const char* name);

// ?camera_id=&from=&to=&limit=&offset= shared by the paged time-series reads.
Expected<RangeQuery> range_query(const httplib::Request& req);

// The request body as a JSON object (kInvalidArgument with the parser's message otherwise).
Expected<nlohmann::json> json_body(const httplib::Request& req);

// True when the client asked for CSV: ?format=csv or an Accept header preferring text/csv.
bool wants_csv(const httplib::Request& req);

// RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; a leading
// = + - @ is prefixed with ' so spreadsheets do not run it as a formula.
std::string csv_field(const std::string& value);
// Header row + rows, CRLF line ends, sent as an attachment named `filename`.
void send_csv(httplib::Response& res, const std::string& filename,
              const std::vector<std::string>& header,
              const std::vector<std::vector<std::string>>& rows);

template <class Row, class ToJson>
void send_page(httplib::Response& res, const RangeQuery& q, const Expected<Page<Row>>& page,
               ToJson to_json, nlohmann::json extra = nlohmann::json::object()) {
  if (!page) return send_error(res, page.error());
  nlohmann::json items = nlohmann::json::array();
  for (const Row& r : page->rows) items.push_back(to_json(r));
  nlohmann::json body = {{"success", true},
                         {"total", page->total},
                         {"limit", q.limit},
                         {"offset", q.offset},
                         {"items", std::move(items)}};
  body.update(extra);
  send_json(res, body);
}

}  // namespace fai::api
