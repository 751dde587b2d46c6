#include "fake_rekognition.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <regex>

#include "cloud/aws/sigv4.h"
#include "core/base64.h"

namespace fai::aws::testing {
namespace {

using nlohmann::json;

constexpr char kJson11[] = "application/x-amz-json-1.1";
constexpr char kTargetPrefix[] = "RekognitionService.";
constexpr double kSameImageSimilarityPct = 99.5;

struct Field {
  const char* name;
  bool (*has_type)(const json&);
  bool required;
};

bool is_string(const json& value) {
  return value.is_string();
}
bool is_number(const json& value) {
  return value.is_number();
}
bool is_count(const json& value) {
  return value.is_number_unsigned() && value.get<int>() >= 1;
}
bool is_image(const json& value) {
  return value.is_object() && value.size() == 1 && value.contains("Bytes") &&
         value["Bytes"].is_string() && base64_decode(value["Bytes"].get<std::string>()).ok();
}
bool is_string_list(const json& value) {
  return value.is_array() && !value.empty() &&
         std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); });
}

// The request members the Rekognition API reference documents for each operation we serve.
const std::map<std::string, std::vector<Field>>& request_shapes() {
  static const std::map<std::string, std::vector<Field>> kShapes = {
      {"CreateCollection", {{"CollectionId", is_string, true}}},
      {"IndexFaces",
       {{"CollectionId", is_string, true},
        {"Image", is_image, true},
        {"ExternalImageId", is_string, false},
        {"MaxFaces", is_count, false},
        {"QualityFilter", is_string, false},
        {"DetectionAttributes", is_string_list, false}}},
      {"SearchFacesByImage",
       {{"CollectionId", is_string, true},
        {"Image", is_image, true},
        {"FaceMatchThreshold", is_number, false},
        {"MaxFaces", is_count, false},
        {"QualityFilter", is_string, false}}},
      {"DeleteFaces", {{"CollectionId", is_string, true}, {"FaceIds", is_string_list, true}}},
  };
  return kShapes;
}

std::vector<std::string> check_body(const std::string& operation, const std::string& body) {
  const json document = json::parse(body, nullptr, false);
  if (!document.is_object()) return {operation + ": body is not a JSON object"};
  std::vector<std::string> problems;
  const auto& fields = request_shapes().at(operation);
  for (const auto& field : fields) {
    if (!document.contains(field.name)) {
      if (field.required) problems.push_back(operation + ": missing " + field.name);
    } else if (!field.has_type(document[field.name])) {
      problems.push_back(operation + ": bad " + field.name + ": " + document[field.name].dump(0));
    }
  }
  for (const auto& [key, value] : document.items()) {
    const bool known = std::any_of(fields.begin(), fields.end(),
                                   [&](const Field& field) { return key == field.name; });
    if (!known) problems.push_back(operation + ": unknown member " + key);
  }
  return problems;
}

std::string aws_error(const std::string& type, const std::string& message) {
  return json{{"__type", type}, {"message", message}}.dump();
}

json bounding_box() {
  return {{"Width", 0.4}, {"Height", 0.5}, {"Left", 0.3}, {"Top", 0.2}};
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t pos; (pos = text.find(separator, start)) != std::string::npos; start = pos + 1) {
    parts.push_back(text.substr(start, pos - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

}  // namespace

FakeRekognition::FakeRekognition(std::string region, std::string session_token)
    : region_(std::move(region)), session_token_(std::move(session_token)) {
  const auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    handle(request, response);
  };
  server_.Post(".*", handler);
  server_.Get(".*", handler);
  server_.Put(".*", handler);
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // httplib's stop() does nothing until the listen loop runs: a test that ends quickly would
  // otherwise leave the loop running for ever and hang the destructor's join().
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeRekognition::~FakeRekognition() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopping_cv_.notify_all();
  server_.stop();
  thread_.join();
}

std::string FakeRekognition::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void FakeRekognition::inject(Fault fault, int times) {
  std::lock_guard lock(mutex_);
  faults_.insert(faults_.end(), times, fault);
}

int FakeRekognition::requests(const std::string& operation) const {
  std::lock_guard lock(mutex_);
  const auto it = requests_.find(operation);
  return it == requests_.end() ? 0 : it->second;
}

std::vector<std::string> FakeRekognition::violations() const {
  std::lock_guard lock(mutex_);
  return violations_;
}

bool FakeRekognition::has_collection(const std::string& collection) const {
  std::lock_guard lock(mutex_);
  return collections_.count(collection) > 0;
}

// Everything AWS checks before it looks at the body: method, path, headers, signature.
std::vector<std::string> FakeRekognition::check_request(const httplib::Request& request,
                                                        const std::string& operation) const {
  std::vector<std::string> problems;
  if (request.method != "POST" || request.path != "/") {
    problems.push_back("expected POST /, got " + request.method + " " + request.path);
  }
  if (request.get_header_value("Content-Type") != kJson11) {
    problems.push_back("Content-Type is '" + request.get_header_value("Content-Type") + "'");
  }
  if (!request_shapes().count(operation)) {
    problems.push_back("X-Amz-Target '" + request.get_header_value("X-Amz-Target") + "'");
  }
  const std::string date = request.get_header_value("X-Amz-Date");
  if (!std::regex_match(date, std::regex(R"(\d{8}T\d{6}Z)"))) {
    problems.push_back("X-Amz-Date '" + date + "'");
  }
  if (request.get_header_value("X-Amz-Security-Token") != session_token_) {
    problems.push_back("X-Amz-Security-Token does not carry the session token");
  }
  const std::string authorization = request.get_header_value("Authorization");
  std::smatch parts;
  const std::regex structure("AWS4-HMAC-SHA256 Credential=" + std::string(kExampleAccessKeyId) +
                             R"(/(\d{8})/)" + region_ +
                             R"(/rekognition/aws4_request, SignedHeaders=([a-z0-9;-]+), )"
                             R"(Signature=[0-9a-f]{64})");
  if (!std::regex_match(authorization, parts, structure)) {
    problems.push_back("Authorization header malformed: '" + authorization + "'");
    return problems;
  }
  const std::vector<std::string> signed_names = split(parts[2].str(), ';');
  for (const char* needed : {"host", "x-amz-date", "x-amz-target"}) {
    if (std::find(signed_names.begin(), signed_names.end(), needed) == signed_names.end()) {
      problems.push_back(std::string("SignedHeaders lacks ") + needed);
    }
  }
  if (parts[1].str() != date.substr(0, 8))
    problems.push_back("credential scope date != X-Amz-Date");
  // Recompute the signature from what arrived, so any canonicalisation mistake shows up.
  const size_t query_start = request.target.find('?');
  HttpRequest received{
      request.method,
      request.path,
      query_start == std::string::npos ? "" : request.target.substr(query_start + 1),
      {},
      request.body};
  for (const auto& name : signed_names) {
    for (size_t i = 0; i < request.get_header_value_count(name.c_str()); ++i) {
      received.headers.emplace_back(name, request.get_header_value(name.c_str(), i));
    }
  }
  const SigningParams params{kExampleAccessKeyId, kExampleSecretKey, region_, "rekognition", date};
  if (sign(received, params).authorization != authorization) {
    problems.push_back("signature mismatch for " + operation);
  }
  return problems;
}

void FakeRekognition::handle(const httplib::Request& request, httplib::Response& response) {
  const std::string target = request.get_header_value("X-Amz-Target");
  const std::string operation =
      target.rfind(kTargetPrefix, 0) == 0 ? target.substr(sizeof kTargetPrefix - 1) : target;
  std::vector<std::string> problems = check_request(request, operation);
  if (problems.empty()) problems = check_body(operation, request.body);
  Answer answer{200, ""};
  std::optional<Fault> fault;
  {
    std::lock_guard lock(mutex_);
    ++requests_[operation];
    violations_.insert(violations_.end(), problems.begin(), problems.end());
    if (problems.empty() && !faults_.empty()) {
      fault = faults_.front();
      faults_.pop_front();
    }
  }
  if (!problems.empty()) {
    answer = {400, aws_error("ValidationException", problems.front())};
  } else if (fault) {
    answer = answer_fault(*fault);
  } else {
    answer = dispatch(operation, request.body);
  }
  response.status = answer.status;
  response.set_content(answer.body, kJson11);
}

FakeRekognition::Answer FakeRekognition::answer_fault(Fault fault) {
  switch (fault) {
    case Fault::kThrottle:
      return {400, aws_error("ThrottlingException", "Rate exceeded")};
    case Fault::kServerError:
      return {500, aws_error("InternalServerError", "Internal server error")};
    case Fault::kAccessDenied:
      return {400, aws_error("AccessDeniedException",
                             "User is not authorized to perform: rekognition:*")};
    case Fault::kHang: {
      std::unique_lock lock(mutex_);
      stopping_cv_.wait(lock, [this] { return stopping_; });
      return {500, aws_error("InternalServerError", "server stopped")};
    }
  }
  return {500, aws_error("InternalServerError", "unknown fault")};
}

FakeRekognition::Answer FakeRekognition::dispatch(const std::string& operation,
                                                  const std::string& body) {
  const json request = json::parse(body);
  const std::string collection = request["CollectionId"];
  const auto image = [&] {
    auto bytes = base64_decode(request["Image"]["Bytes"].get<std::string>());
    return std::string(bytes->begin(), bytes->end());
  };
  std::lock_guard lock(mutex_);
  if (operation == "CreateCollection") return create_collection(collection);
  if (!collections_.count(collection)) {
    return {400, aws_error("ResourceNotFoundException",
                           "The collection id: " + collection + " does not exist")};
  }
  if (operation == "IndexFaces") {
    return index_faces(collection, image(), request.value("ExternalImageId", ""));
  }
  if (operation == "SearchFacesByImage") {
    return search_faces(collection, image(), request.value("FaceMatchThreshold", 80.0),
                        request.value("MaxFaces", 4096));
  }
  return delete_faces(collection, request["FaceIds"].get<std::vector<std::string>>());
}

FakeRekognition::Answer FakeRekognition::create_collection(const std::string& collection) {
  if (!collections_.emplace(collection, std::vector<Face>()).second) {
    return {400, aws_error("ResourceAlreadyExistsException",
                           "The collection id: " + collection + " already exists")};
  }
  return {200, json{{"StatusCode", 200},
                    {"CollectionArn",
                     "aws:rekognition:" + region_ + ":000000000000:collection/" + collection},
                    {"FaceModelVersion", "7.0"}}
                   .dump()};
}

FakeRekognition::Answer FakeRekognition::index_faces(const std::string& collection,
                                                     const std::string& image,
                                                     const std::string& external_image_id) {
  json records = json::array();
  if (image.rfind("noface", 0) != 0) {
    char face_id[40];
    std::snprintf(face_id, sizeof face_id, "%08x-0000-4000-8000-000000000000", next_face_++);
    collections_[collection].push_back({face_id, external_image_id, hex_sha256(image)});
    records.push_back({{"Face",
                        {{"FaceId", face_id},
                         {"BoundingBox", bounding_box()},
                         {"ImageId", "00000000-1111-4000-8000-" + hex_sha256(image).substr(0, 12)},
                         {"ExternalImageId", external_image_id},
                         {"Confidence", 99.9}}},
                       {"FaceDetail", {{"BoundingBox", bounding_box()}, {"Confidence", 99.9}}}});
  }
  return {
      200,
      json{{"FaceRecords", records}, {"FaceModelVersion", "7.0"}, {"UnindexedFaces", json::array()}}
          .dump()};
}

FakeRekognition::Answer FakeRekognition::search_faces(const std::string& collection,
                                                      const std::string& image,
                                                      double threshold_pct, int max_faces) {
  if (image.rfind("noface", 0) == 0) {
    return {400, aws_error("InvalidParameterException",
                           "There are no faces in the image. Should be at least 1.")};
  }
  json matches = json::array();
  for (const auto& face : collections_[collection]) {
    if (face.image_sha256 != hex_sha256(image) || kSameImageSimilarityPct < threshold_pct) continue;
    if (static_cast<int>(matches.size()) == max_faces) break;
    matches.push_back({{"Similarity", kSameImageSimilarityPct},
                       {"Face",
                        {{"FaceId", face.face_id},
                         {"BoundingBox", bounding_box()},
                         {"ImageId", "00000000-1111-4000-8000-000000000000"},
                         {"ExternalImageId", face.external_image_id},
                         {"Confidence", 99.9},
                         {"IndexFacesModelVersion", "7.0"}}}});
  }
  return {200, json{{"SearchedFaceBoundingBox", bounding_box()},
                    {"SearchedFaceConfidence", 99.9},
                    {"FaceMatches", matches},
                    {"FaceModelVersion", "7.0"}}
                   .dump()};
}

FakeRekognition::Answer FakeRekognition::delete_faces(const std::string& collection,
                                                      const std::vector<std::string>& face_ids) {
  auto& faces = collections_[collection];
  json deleted = json::array();
  json unsuccessful = json::array();
  for (const auto& id : face_ids) {
    const auto it = std::find_if(faces.begin(), faces.end(),
                                 [&](const Face& face) { return face.face_id == id; });
    if (it == faces.end()) {
      unsuccessful.push_back({{"FaceId", id}, {"Reasons", {"FACE_NOT_FOUND"}}});
      continue;
    }
    faces.erase(it);
    deleted.push_back(id);
  }
  return {200, json{{"DeletedFaces", deleted}, {"UnsuccessfulFaceDeletions", unsuccessful}}.dump()};
}

}  // namespace fai::aws::testing
