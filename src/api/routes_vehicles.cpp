#include "api/routes_vehicles.h"

#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "analytics/anpr/plate_match.h"
#include "api/errors.h"
#include "api/http_util.h"

namespace fai::api {
namespace {

using nlohmann::json;

constexpr size_t kMinPlateChars = 2, kMaxPlateChars = 10;
constexpr size_t kMaxOwnerChars = 200, kMaxNoteChars = 2000;
constexpr int64_t kMaxCsvRows = 100000;

const std::set<std::string> kVehicleTypes = {"car", "truck", "bus", "motorcycle"};
const std::set<std::string> kStatuses = {"whitelisted", "blacklisted", "unknown", "unread"};
const std::set<std::string> kEntryFields = {"plate_number", "list",       "vehicle_type", "owner",
                                            "note",         "valid_from", "valid_until"};

Error bad(const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, message);
}

json optional_time(const std::optional<SystemTime>& t) {
  return t ? json(iso8601_utc(*t)) : json(nullptr);
}

json entry_json(const VehicleEntry& e) {
  return {{"plate_number", e.plate_number},
          {"list", to_string(e.list)},
          {"vehicle_type", e.vehicle_type},
          {"owner", e.owner},
          {"note", e.note},
          {"valid_from", optional_time(e.valid_from)},
          {"valid_until", optional_time(e.valid_until)},
          {"active", e.active_at(std::chrono::system_clock::now())},
          {"created_at", iso8601_utc(e.created_at)},
          {"updated_at", iso8601_utc(e.updated_at)}};
}

json visit_json(const VehicleVisit& v) {
  return {{"id", v.id},
          {"camera_id", v.camera_id},
          {"track_id", v.track_id},
          {"plate_number", v.plate_number.empty() ? json(nullptr) : json(v.plate_number)},
          {"vehicle_type", v.vehicle_type},
          {"entry_time", optional_time(v.entry_time)},
          {"exit_time", optional_time(v.exit_time)},
          {"ocr_confidence", std::round(static_cast<double>(v.ocr_confidence) * 1000) / 1000},
          {"status", v.status},
          {"matched_plate", v.matched_plate.empty() ? json(nullptr) : json(v.matched_plate)},
          {"last_seen", optional_time(v.last_seen)},
          // Set when start-up closed the visit: "restart" (exit = last sighting, or null when
          // unknown) or "expired" (exit unknown); null otherwise.
          {"closed_reason", v.closed_reason.empty() ? json(nullptr) : json(v.closed_reason)}};
}

std::vector<std::string> visit_csv_row(const VehicleVisit& v) {
  auto time = [](const std::optional<SystemTime>& t) { return t ? iso8601_utc(*t) : ""; };
  char confidence[16];
  std::snprintf(confidence, sizeof confidence, "%.3f", v.ocr_confidence);
  return {std::to_string(v.id), v.camera_id,    std::to_string(v.track_id),
          v.plate_number,       v.vehicle_type, time(v.entry_time),
          time(v.exit_time),    confidence,     v.status,
          v.matched_plate};
}

// A string field of the body, or an error naming it.
Expected<std::optional<std::string>> string_field(const json& body, const char* name,
                                                  size_t max_chars) {
  if (!body.contains(name) || body[name].is_null()) return std::optional<std::string>();
  if (!body[name].is_string()) return bad(std::string("'") + name + "' must be a string");
  const std::string value = body[name].get<std::string>();
  if (value.size() > max_chars) {
    return bad(std::string("'") + name + "' is longer than " + std::to_string(max_chars) +
               " characters");
  }
  return std::optional<std::string>(value);
}

// Applies the body's fields to `e`; `creating` demands plate_number and list.
Status apply_fields(const json& body, VehicleEntry& e, bool creating) {
  for (const auto& [key, value] : body.items()) {
    if (!kEntryFields.count(key)) return bad("unknown field '" + key + "'");
  }
  if (creating && !body.contains("list")) return bad("'list' is required (whitelist|blacklist)");
  if (body.contains("list")) {
    const auto list =
        body["list"].is_string() ? parse_plate_list(body["list"].get<std::string>()) : std::nullopt;
    if (!list) return bad("'list' must be \"whitelist\" or \"blacklist\"");
    e.list = *list;
  }
  auto type = string_field(body, "vehicle_type", 32);
  if (!type) return type.error();
  if (*type && !(*type)->empty() && !kVehicleTypes.count(**type)) {
    return bad("'vehicle_type' must be one of car, truck, bus, motorcycle");
  }
  if (*type) e.vehicle_type = **type;
  auto owner = string_field(body, "owner", kMaxOwnerChars);
  if (!owner) return owner.error();
  if (*owner) e.owner = **owner;
  auto note = string_field(body, "note", kMaxNoteChars);
  if (!note) return note.error();
  if (*note) e.note = **note;
  for (const char* name : {"valid_from", "valid_until"}) {
    if (!body.contains(name)) continue;
    auto& slot = std::string(name) == "valid_from" ? e.valid_from : e.valid_until;
    if (body[name].is_null()) {
      slot.reset();
      continue;
    }
    const auto t =
        body[name].is_string() ? parse_iso8601(body[name].get<std::string>()) : std::nullopt;
    if (!t) {
      return bad(std::string("'") + name +
                 "' must be ISO-8601 (e.g. 2026-01-31T08:00:00Z) or null");
    }
    slot = *t;
  }
  if (e.valid_from && e.valid_until && *e.valid_until < *e.valid_from) {
    return bad("'valid_until' is before 'valid_from'");
  }
  return {};
}

Expected<std::string> path_plate(const httplib::Request& req) {
  return parse_plate(req.matches[1].str());
}

void handle_list(VehicleStore& store, const httplib::Request& req, httplib::Response& res) {
  VehicleListQuery q;
  if (req.has_param("list")) {
    const auto list = parse_plate_list(req.get_param_value("list"));
    if (!list) return send_error(res, bad("'list' must be whitelist or blacklist"));
    q.list = list;
  }
  q.q = req.get_param_value("q");
  auto limit = int_param(req, "limit", 100, 1, 1000);
  if (!limit) return send_error(res, limit.error());
  auto offset = int_param(req, "offset", 0, 0, std::numeric_limits<int32_t>::max());
  if (!offset) return send_error(res, offset.error());
  q.limit = *limit;
  q.offset = *offset;
  const auto page = store.list(q);
  if (!page) return send_error(res, page.error());
  json items = json::array();
  for (const VehicleEntry& e : page->rows) items.push_back(entry_json(e));
  send_json(res, {{"success", true},
                  {"total", page->total},
                  {"limit", q.limit},
                  {"offset", q.offset},
                  {"items", std::move(items)}});
}

void handle_create(VehicleStore& store, const httplib::Request& req, httplib::Response& res) {
  auto body = json_body(req);
  if (!body) return send_error(res, body.error());
  if (!body->contains("plate_number") || !(*body)["plate_number"].is_string()) {
    return send_error(res, bad("'plate_number' is required (a string)"));
  }
  auto plate = parse_plate((*body)["plate_number"].get<std::string>());
  if (!plate) return send_error(res, plate.error());
  VehicleEntry e;
  e.plate_number = *plate;
  if (Status st = apply_fields(*body, e, true); !st) return send_error(res, st.error());
  auto added = store.add(e);
  if (!added) return send_error(res, added.error());
  send_json(res, {{"success", true}, {"vehicle", entry_json(*added)}}, 201);
}

void handle_get(VehicleStore& store, const httplib::Request& req, httplib::Response& res) {
  auto plate = path_plate(req);
  if (!plate) return send_error(res, plate.error());
  auto e = store.get(*plate);
  if (!e) return send_error(res, e.error());
  send_json(res, {{"success", true}, {"vehicle", entry_json(*e)}});
}

void handle_update(VehicleStore& store, const httplib::Request& req, httplib::Response& res) {
  auto plate = path_plate(req);
  if (!plate) return send_error(res, plate.error());
  auto body = json_body(req);
  if (!body) return send_error(res, body.error());
  if (body->contains("plate_number")) {
    const auto& given = (*body)["plate_number"];
    auto same = given.is_string() ? parse_plate(given.get<std::string>()) : bad("");
    if (!same || *same != *plate) {
      return send_error(res, bad("'plate_number' cannot change: delete and add the vehicle"));
    }
  }
  auto e = store.get(*plate);
  if (!e) return send_error(res, e.error());
  if (Status st = apply_fields(*body, *e, false); !st) return send_error(res, st.error());
  auto updated = store.update(*e);
  if (!updated) return send_error(res, updated.error());
  send_json(res, {{"success", true}, {"vehicle", entry_json(*updated)}});
}

void handle_delete(VehicleStore& store, const httplib::Request& req, httplib::Response& res) {
  auto plate = path_plate(req);
  if (!plate) return send_error(res, plate.error());
  if (Status st = store.remove(*plate); !st) return send_error(res, st.error());
  send_json(res, {{"success", true}});
}

Expected<VisitQuery> visit_query(const httplib::Request& req, bool csv) {
  VisitQuery q;
  if (req.has_param("plate")) {
    auto plate = parse_plate(req.get_param_value("plate"));
    if (!plate) return plate.error();
    q.plate = *plate;
  }
  q.status = req.get_param_value("status");
  if (!q.status.empty() && !kStatuses.count(q.status)) {
    return bad("'status' must be one of whitelisted, blacklisted, unknown, unread");
  }
  q.camera_id = req.get_param_value("camera_id");
  auto from = time_param(req, "from");
  if (!from) return from.error();
  auto to = time_param(req, "to");
  if (!to) return to.error();
  if (*from && *to && **to < **from) return bad("'to' is before 'from'");
  q.from = *from;
  q.to = *to;
  auto limit = int_param(req, "limit", csv ? kMaxCsvRows : 100, 1, csv ? kMaxCsvRows : 1000);
  if (!limit) return limit.error();
  auto offset = int_param(req, "offset", 0, 0, std::numeric_limits<int32_t>::max());
  if (!offset) return offset.error();
  q.limit = *limit;
  q.offset = *offset;
  return q;
}

void handle_logs(VehicleStore& store, const httplib::Request& req, httplib::Response& res) {
  const bool csv = wants_csv(req);
  auto q = visit_query(req, csv);
  if (!q) return send_error(res, q.error());
  const auto page = store.visits(*q);
  if (!page) return send_error(res, page.error());
  if (csv) {
    std::vector<std::vector<std::string>> rows;
    for (const VehicleVisit& v : page->rows) rows.push_back(visit_csv_row(v));
    return send_csv(res, "vehicle-logs.csv",
                    {"id", "camera_id", "track_id", "plate_number", "vehicle_type", "entry_time",
                     "exit_time", "ocr_confidence", "status", "matched_plate"},
                    rows);
  }
  json items = json::array();
  for (const VehicleVisit& v : page->rows) items.push_back(visit_json(v));
  send_json(res, {{"success", true},
                  {"total", page->total},
                  {"limit", q->limit},
                  {"offset", q->offset},
                  {"items", std::move(items)}});
}

using Handler = void (*)(VehicleStore&, const httplib::Request&, httplib::Response&);

httplib::Server::Handler guarded(VehicleStore* store, Handler handler) {
  return [store, handler](const httplib::Request& req, httplib::Response& res) {
    if (store == nullptr) {
      return send_error(res, make_error(ErrorCode::kUnavailable, "vehicle lists are not enabled"));
    }
    handler(*store, req, res);
  };
}

}  // namespace

Expected<std::string> parse_plate(const std::string& text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (!(u < 128 && std::isalnum(u)) && c != ' ' && c != '-' && c != '.') {
      return bad("plate '" + text + "' may hold only letters, digits, spaces, dots and dashes");
    }
  }
  const std::string plate = normalize_plate_text(text);
  if (plate.size() < kMinPlateChars || plate.size() > kMaxPlateChars) {
    return bad("plate '" + text + "' must have 2 to 10 letters and digits");
  }
  return plate;
}

void add_vehicle_routes(httplib::Server& http, VehicleStore* vehicles) {
  http.Get("/api/vehicles", guarded(vehicles, handle_list));
  http.Post("/api/vehicles", guarded(vehicles, handle_create));
  http.Get(R"(/api/vehicles/([^/]+))", guarded(vehicles, handle_get));
  http.Put(R"(/api/vehicles/([^/]+))", guarded(vehicles, handle_update));
  http.Delete(R"(/api/vehicles/([^/]+))", guarded(vehicles, handle_delete));
  http.Get("/api/vehicle-logs", guarded(vehicles, handle_logs));
}

}  // namespace fai::api
