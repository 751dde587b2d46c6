#include "api/http_util.h"

namespace fai::api {

using nlohmann::json;

void send_json(httplib::Response& res, const json& body, int status) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

Expected<int64_t> int_param(const httplib::Request& req, const char* name, int64_t fallback,
                            int64_t min, int64_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  try {
    size_t used = 0;
    const int64_t v = std::stoll(text, &used);
    if (used == text.size() && v >= min && v <= max) return v;
  } catch (const std::exception&) {
  }
  return make_error(ErrorCode::kInvalidArgument,
                    std::string("'") + name + "' must be an integer in " + std::to_string(min) +
                        ".." + std::to_string(max));
}

Expected<std::optional<SystemTime>> time_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::optional<SystemTime>{};
  auto t = parse_iso8601(req.get_param_value(name));
  if (!t) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("'") + name + "' is not ISO-8601 (e.g. 2026-01-31T08:00:00Z)");
  }
  return std::optional<SystemTime>{*t};
}

Expected<RangeQuery> range_query(const httplib::Request& req) {
  RangeQuery q;
  q.camera_id = req.get_param_value("camera_id");
  auto from = time_param(req, "from");
  if (!from) return from.error();
  auto to = time_param(req, "to");
  if (!to) return to.error();
  auto limit = int_param(req, "limit", 100, 1, 1000);
  if (!limit) return limit.error();
  auto offset = int_param(req, "offset", 0, 0, std::numeric_limits<int32_t>::max());
  if (!offset) return offset.error();
  q.from = *from;
  q.to = *to;
  q.limit = *limit;
  q.offset = *offset;
  return q;
}

Expected<json> json_body(const httplib::Request& req) {
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return make_error(ErrorCode::kInvalidArgument, "the request body is not valid JSON");
  }
  if (!body.is_object()) {
    return make_error(ErrorCode::kInvalidArgument, "the request body must be a JSON object");
  }
  return body;
}

bool wants_csv(const httplib::Request& req) {
  if (req.get_param_value("format") == "csv") return true;
  const std::string accept = req.get_header_value("Accept");
  return accept.rfind("text/csv", 0) == 0;
}

std::string csv_field(const std::string& value) {
  std::string v = value;
  const bool formula_like =
      !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@');
  const bool number = v.find_first_not_of("+-0123456789.eE") == std::string::npos;
  if (formula_like && !number) v = "'" + v;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string quoted = "\"";
  for (char c : v) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void send_csv(httplib::Response& res, const std::string& filename,
              const std::vector<std::string>& header,
              const std::vector<std::vector<std::string>>& rows) {
  auto line = [](const std::vector<std::string>& fields) {
    std::string out;
    for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i]);
    return out + "\r\n";
  };
  std::string body = line(header);
  for (const auto& row : rows) body += line(row);
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  res.set_content(body, "text/csv; charset=utf-8");
}

}  // namespace fai::api
