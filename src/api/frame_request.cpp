#include "api/frame_request.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/clock.h"

namespace fai::api {
namespace {

struct RawFrame {
  std::string bytes;
  std::string camera_id;
  std::string timestamp;
};

Error bad_request(std::string message) {
  return make_error(ErrorCode::kInvalidArgument, std::move(message));
}

Expected<std::string> optional_string(const nlohmann::json& body, const char* key) {
  if (!body.contains(key) || body[key].is_null()) return std::string();
  if (!body[key].is_string()) return bad_request(std::string("'") + key + "' must be a string");
  return body[key].get<std::string>();
}

Expected<RawFrame> from_json(const std::string& text) {
  const auto body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return bad_request("request body is not valid JSON");
  if (!body.is_object()) return bad_request("request body must be a JSON object");
  if (!body.contains("frame")) return bad_request("missing field 'frame' (base64 JPEG or PNG)");
  if (!body["frame"].is_string()) return bad_request("'frame' must be a base64 string");
  auto bytes = base64_decode(body["frame"].get_ref<const std::string&>());
  if (!bytes) return bad_request("'frame': " + bytes.error().message);
  auto camera = optional_string(body, "camera_id");
  if (!camera) return camera.error();
  auto timestamp = optional_string(body, "timestamp");
  if (!timestamp) return timestamp.error();
  return RawFrame{std::string(bytes->begin(), bytes->end()), *camera, *timestamp};
}

Expected<RawFrame> from_multipart(const httplib::Request& req) {
  if (!req.has_file("frame")) return bad_request("multipart body has no 'frame' part");
  RawFrame raw{req.get_file_value("frame").content, "", ""};
  if (req.has_file("camera_id")) raw.camera_id = req.get_file_value("camera_id").content;
  if (req.has_file("timestamp")) raw.timestamp = req.get_file_value("timestamp").content;
  return raw;
}

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

Expected<RawFrame> read_body(const httplib::Request& req) {
  const std::string type = req.get_header_value("Content-Type");
  if (req.is_multipart_form_data()) return from_multipart(req);
  if (starts_with(type, "application/json") || type.empty()) return from_json(req.body);
  if (starts_with(type, "image/") || starts_with(type, "application/octet-stream")) {
    return RawFrame{req.body, req.get_param_value("camera_id"), req.get_param_value("timestamp")};
  }
  return make_error(ErrorCode::kUnsupported,
                    "unsupported Content-Type '" + type +
                        "': send application/json, image/jpeg, image/png or multipart/form-data");
}

// Camera ids become database keys and URL parameters: keep them short and plain.
bool valid_camera_id(const std::string& id) {
  if (id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

}  // namespace

Expected<FrameJob> parse_frame_request(const httplib::Request& req, const ImageLimits& limits) {
  auto raw = read_body(req);
  if (!raw) return raw.error();
  if (!valid_camera_id(raw->camera_id)) {
    return bad_request("'camera_id' must be 1-64 characters of letters, digits, '_', '-', '.'");
  }
  FrameJob job;
  job.camera_id = raw->camera_id;
  if (!raw->timestamp.empty()) {
    auto t = parse_iso8601(raw->timestamp);
    if (!t) return bad_request("'timestamp' is not ISO-8601 (e.g. 2026-01-31T08:00:00.000Z)");
    job.timestamp = *t;
  }
  const auto* data = reinterpret_cast<const uint8_t*>(raw->bytes.data());
  auto image = decode_image({data, raw->bytes.size()}, limits);
  if (!image) return make_error(image.error().code, "'frame': " + image.error().message);
  job.image = std::move(*image);
  return job;
}

}  // namespace fai::api
