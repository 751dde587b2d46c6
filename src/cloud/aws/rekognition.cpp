#include "cloud/aws/rekognition.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <random>
#include <regex>
#include <thread>

#include "cloud/aws/http_transport.h"
#include "cloud/aws/sigv4.h"
#include "core/base64.h"

namespace fai::aws {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr char kResourceNotFound[] = "ResourceNotFoundException";
constexpr size_t kMaxImageBytes = 5 * 1024 * 1024;  // Rekognition's limit for Image.Bytes
constexpr int kMaxFacesPerRequest = 4096;

bool is_throttling(const std::string& type) {
  return type == "ThrottlingException" || type == "ProvisionedThroughputExceededException" ||
         type == "LimitExceededException";
}

bool is_credential_error(const std::string& type) {
  static const char* const kTypes[] = {"AccessDeniedException",     "UnrecognizedClientException",
                                       "InvalidSignatureException", "ExpiredTokenException",
                                       "IncompleteSignature",       "MissingAuthenticationToken",
                                       "InvalidClientTokenId",      "SignatureDoesNotMatch"};
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

ErrorCode code_for(long status, const std::string& type) {
  if (status >= 500 || is_throttling(type) || is_credential_error(type)) {
    return ErrorCode::kUnavailable;
  }
  if (type == kResourceNotFound) return ErrorCode::kNotFound;
  if (type == "ImageTooLargeException") return ErrorCode::kTooLarge;
  if (status >= 400 && status < 500) return ErrorCode::kInvalidArgument;
  return ErrorCode::kInternal;
}

std::string default_endpoint(const std::string& region) {
  return "https://rekognition." + region + ".amazonaws.com";
}

// "https://host:port/..." → "host:port": what curl puts in Host, so we sign the same text.
std::string authority_of(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const size_t start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  return url.substr(start, url.find('/', start) - start);
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Rekognition's own id rules, checked here so a bad id is a clear local error, not a 400.
Status check_id(const std::string& what, const std::string& id, const char* allowed) {
  if (id.size() <= 255 && std::regex_match(id, std::regex(std::string(allowed) + "+"))) return {};
  return make_error(ErrorCode::kInvalidArgument,
                    what + " '" + id + "' must be 1-255 characters of " + allowed);
}

Status check_collection(const std::string& collection) {
  return check_id("CollectionId", collection, "[a-zA-Z0-9_.\\-]");
}

Status check_image(const std::vector<uint8_t>& image) {
  if (image.empty()) return make_error(ErrorCode::kInvalidArgument, "empty image");
  if (image.size() > kMaxImageBytes) {
    return make_error(ErrorCode::kTooLarge, "image of " + std::to_string(image.size()) +
                                                " bytes is over Rekognition's 5 MB limit");
  }
  return {};
}

json image_json(const std::vector<uint8_t>& image) {
  return {{"Bytes", base64_encode(image.data(), image.size())}};
}

// Reads a documented response shape; malformed JSON or a missing field is kInternal.
template <class T, class Parse>
Expected<T> parse_reply(const std::string& body, const std::string& operation, Parse parse) {
  try {
    return parse(json::parse(body));
  } catch (const json::exception& e) {
    return make_error(ErrorCode::kInternal,
                      "unexpected " + operation + " response from Rekognition: " + e.what());
  }
}

FaceSearchResult parse_search(const json& document) {
  FaceSearchResult result{true, {}};
  for (const auto& match : document.value("FaceMatches", json::array())) {
    const auto& face = match.at("Face");
    result.matches.push_back({face.at("FaceId").get<std::string>(),
                              face.value("ExternalImageId", ""),
                              match.at("Similarity").get<double>()});
  }
  std::sort(
      result.matches.begin(), result.matches.end(),
      [](const FaceMatch& a, const FaceMatch& b) { return a.similarity_pct > b.similarity_pct; });
  return result;
}

Expected<IndexedFace> parse_index(const json& document) {
  const auto& records = document.at("FaceRecords");
  if (records.empty()) {
    std::string reasons;
    for (const auto& unindexed : document.value("UnindexedFaces", json::array())) {
      reasons += " " + unindexed.value("Reasons", json::array()).dump();
    }
    return make_error(ErrorCode::kInvalidArgument,
                      "no indexable face in the enrolment image" +
                          (reasons.empty() ? std::string() : ":" + reasons));
  }
  const auto& face = records.front().at("Face");
  return IndexedFace{face.at("FaceId").get<std::string>(), face.value("ExternalImageId", "")};
}

std::vector<std::string> parse_deleted(const json& document) {
  return document.value("DeletedFaces", std::vector<std::string>());
}

}  // namespace

// One attempt's outcome: `body` on success, else the AWS error type ("" when no HTTP answer).
struct RekognitionClient::Reply {
  std::string body;
  std::string aws_error_type;
  std::optional<Error> error;
  bool retryable = false;
};

RekognitionClient::RekognitionClient(RekognitionConfig config, AwsCredentials credentials)
    : config_(std::move(config)),
      credentials_(std::move(credentials)),
      url_((config_.endpoint.empty() ? default_endpoint(config_.region) : config_.endpoint)),
      host_(authority_of(url_)),
      breaker_(config_.breaker_failure_threshold, config_.breaker_open),
      meter_(config_.metering) {
  FAI_CHECK(config_.max_attempts >= 1);
}

std::chrono::milliseconds RekognitionClient::backoff(int retry) const {
  // Full jitter (random in [0, cap]) spreads the retries of many workers apart.
  thread_local std::mt19937 random{std::random_device{}()};
  const std::chrono::milliseconds cap = std::min<std::chrono::milliseconds>(
      config_.retry_max_delay, config_.retry_base_delay * (int64_t{1} << std::min(retry, 20)));
  std::uniform_int_distribution<int64_t> pick(0, cap.count());
  return std::chrono::milliseconds(pick(random));
}

RekognitionClient::Reply RekognitionClient::attempt(const std::string& operation,
                                                    const std::string& json_body) {
  const std::string date = amz_date(std::chrono::system_clock::now());
  HttpRequest request{"POST",
                      "/",
                      "",
                      {{"Host", host_},
                       {"Content-Type", "application/x-amz-json-1.1"},
                       {"X-Amz-Date", date},
                       {"X-Amz-Target", "RekognitionService." + operation}},
                      json_body};
  if (!credentials_.session_token.empty()) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials_.session_token);
  }
  const SigningParams params{credentials_.access_key_id, credentials_.secret_access_key,
                             config_.region, "rekognition", date};
  request.headers.emplace_back("Authorization", sign(request, params).authorization);
  auto response = http_post(url_, request.headers, json_body,
                            HttpTimeouts{config_.connect_timeout, config_.total_timeout});
  if (!response.ok()) return Reply{"", "", response.error(), true};
  if (response->status == 200) return Reply{std::move(response->body), "", std::nullopt, false};

  std::string type = "HTTP " + std::to_string(response->status);
  std::string message = response->body.substr(0, 200);
  if (auto document = json::parse(response->body, nullptr, false); document.is_object()) {
    const std::string full_type = document.value("__type", type);
    type = full_type.substr(full_type.find('#') + 1);  // "com.amazonaws...#Type" or "Type"
    message = document.value("message", document.value("Message", std::string()));
  }
  const ErrorCode code = code_for(response->status, type);
  std::string text = "Rekognition " + operation + ": " + type + ": " + message;
  if (is_credential_error(type)) text += " (check the AWS credentials, region and IAM policy)";
  return Reply{"", type, make_error(code, text), response->status >= 500 || is_throttling(type)};
}

RekognitionClient::Reply RekognitionClient::call(const std::string& operation,
                                                 const std::string& json_body,
                                                 bool billed_image_call) {
  if (billed_image_call && !meter_.allow()) {
    return Reply{"", "",
                 make_error(ErrorCode::kUnavailable,
                            "Rekognition monthly budget reached: using local recognition"),
                 false};
  }
  if (!breaker_.allow(SteadyClock::now())) {
    return Reply{
        "", "",
        make_error(ErrorCode::kUnavailable, "Rekognition circuit open after repeated failures"),
        false};
  }
  Reply reply = attempt(operation, json_body);
  for (int retry = 0; reply.error && reply.retryable && retry + 1 < config_.max_attempts; ++retry) {
    std::this_thread::sleep_for(backoff(retry));
    reply = attempt(operation, json_body);
  }
  // Only "the service cannot answer" counts against the breaker; a rejected image does not.
  if (reply.error && reply.error->code == ErrorCode::kUnavailable) {
    breaker_.record_failure(SteadyClock::now());
  } else {
    breaker_.record_success();
  }
  if (!reply.error && billed_image_call) meter_.record_call();
  return reply;
}

RekognitionClient::Reply RekognitionClient::call_creating_collection(const std::string& operation,
                                                                     const std::string& collection,
                                                                     const std::string& json_body) {
  Reply reply = call(operation, json_body, true);
  if (reply.aws_error_type != kResourceNotFound) return reply;
  if (Status created = create_collection(collection); !created.ok()) {
    return Reply{"", "", created.error(), false};
  }
  return call(operation, json_body, true);
}

Status RekognitionClient::create_collection(const std::string& collection) {
  if (Status valid = check_collection(collection); !valid.ok()) return valid;
  Reply reply = call("CreateCollection", json{{"CollectionId", collection}}.dump(), false);
  if (reply.error && reply.aws_error_type != "ResourceAlreadyExistsException") {
    return *reply.error;
  }
  return {};
}

Expected<IndexedFace> RekognitionClient::index_faces(const std::string& collection,
                                                     const std::vector<uint8_t>& image,
                                                     const std::string& external_image_id) {
  for (const Status& valid :
       {check_collection(collection), check_image(image),
        check_id("ExternalImageId", external_image_id, "[a-zA-Z0-9_.\\-:]")}) {
    if (!valid.ok()) return valid.error();
  }
  // MaxFaces 1 keeps only the largest face: an enrolment photo is of one person.
  const json request = {{"CollectionId", collection},
                        {"Image", image_json(image)},
                        {"ExternalImageId", external_image_id},
                        {"MaxFaces", 1},
                        {"QualityFilter", "AUTO"}};
  Reply reply = call_creating_collection("IndexFaces", collection, request.dump());
  if (reply.error) return *reply.error;
  auto parsed = parse_reply<Expected<IndexedFace>>(reply.body, "IndexFaces", parse_index);
  if (!parsed.ok()) return parsed.error();
  return std::move(*parsed);
}

Expected<FaceSearchResult> RekognitionClient::search_faces_by_image(
    const std::string& collection, const std::vector<uint8_t>& image, double min_similarity_pct,
    int max_faces) {
  for (const Status& valid : {check_collection(collection), check_image(image)}) {
    if (!valid.ok()) return valid.error();
  }
  if (!(min_similarity_pct >= 0 && min_similarity_pct <= 100) || max_faces < 1 ||
      max_faces > kMaxFacesPerRequest) {
    return make_error(ErrorCode::kInvalidArgument,
                      "similarity must be 0-100 % and max_faces 1-4096");
  }
  const json request = {{"CollectionId", collection},
                        {"Image", image_json(image)},
                        {"FaceMatchThreshold", min_similarity_pct},
                        {"MaxFaces", max_faces}};
  Reply reply = call_creating_collection("SearchFacesByImage", collection, request.dump());
  // Rekognition reports "no face in the image" as InvalidParameterException: a normal outcome.
  if (reply.error && reply.aws_error_type == "InvalidParameterException" &&
      lower(reply.error->message).find("no faces") != std::string::npos) {
    return FaceSearchResult{false, {}};
  }
  if (reply.error) return *reply.error;
  return parse_reply<FaceSearchResult>(reply.body, "SearchFacesByImage", parse_search);
}

Expected<std::vector<std::string>> RekognitionClient::delete_faces(
    const std::string& collection, const std::vector<std::string>& face_ids) {
  if (Status valid = check_collection(collection); !valid.ok()) return valid.error();
  if (face_ids.empty() || face_ids.size() > kMaxFacesPerRequest) {
    return make_error(ErrorCode::kInvalidArgument, "delete_faces needs 1-4096 face ids");
  }
  // No auto-create here: a missing collection has nothing to delete.
  const json request = {{"CollectionId", collection}, {"FaceIds", face_ids}};
  Reply reply = call("DeleteFaces", request.dump(), false);
  if (reply.error) return *reply.error;
  return parse_reply<std::vector<std::string>>(reply.body, "DeleteFaces", parse_deleted);
}

}  // namespace fai::aws
