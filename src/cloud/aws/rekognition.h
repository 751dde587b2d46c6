#pragma once
// Amazon Rekognition face-collection client (JSON 1.1 protocol over HTTPS, SigV4-signed):
// enrol (IndexFaces), identify (SearchFacesByImage), offboard (DeleteFaces). Built so the
// caller can always fall back to local recognition: throttling and 5xx are retried with
// backoff, and a circuit breaker and a monthly budget cap turn into fast kUnavailable errors.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cloud/aws/circuit_breaker.h"
#include "cloud/aws/credentials.h"
#include "cloud/aws/metering.h"
#include "core/expected.h"

namespace fai::aws {

struct RekognitionConfig {
  std::string region = "us-east-1";
  std::string endpoint;  // "" = https://rekognition.<region>.amazonaws.com; else a VPC or fake
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_timeout{3000};    // per attempt; worst case x max_attempts
  int max_attempts = 3;                             // first try included
  std::chrono::milliseconds retry_base_delay{100};  // backoff = random(0, base * 2^retry)
  std::chrono::milliseconds retry_max_delay{2000};
  int breaker_failure_threshold = 5;  // consecutive failed calls that open the circuit
  std::chrono::milliseconds breaker_open{30000};
  CostMeterConfig metering;
};

struct FaceMatch {
  std::string face_id;
  std::string external_image_id;  // the employee id given at enrolment
  double similarity_pct = 0;
};

struct FaceSearchResult {
  bool face_found = false;         // false: Rekognition saw no face in the image
  std::vector<FaceMatch> matches;  // best first
};

struct IndexedFace {
  std::string face_id;
  std::string external_image_id;
};

// Thread-safe: every call uses its own HTTP handle; the breaker and the meter lock.
// Errors: kInvalidArgument (bad id, image Rekognition rejects), kTooLarge (image over 5 MB),
// kNotFound (collection missing for delete), kUnavailable (network, throttled after all
// attempts, 5xx, rejected credentials, circuit open, budget exhausted): fall back to local.
class RekognitionClient {
 public:
  RekognitionClient(RekognitionConfig config, AwsCredentials credentials);

  // Idempotent: an existing collection is success.
  Status create_collection(const std::string& collection);
  // Enrols the largest face in `image` under `external_image_id` (the employee id); creates
  // the collection on first use. kInvalidArgument when no face is found.
  Expected<IndexedFace> index_faces(const std::string& collection,
                                    const std::vector<uint8_t>& image,
                                    const std::string& external_image_id);
  // Searches the largest face of `image` (send the face crop); matches at or above
  // `min_similarity_pct`, at most `max_faces`, best first. No face → face_found = false.
  Expected<FaceSearchResult> search_faces_by_image(const std::string& collection,
                                                   const std::vector<uint8_t>& image,
                                                   double min_similarity_pct, int max_faces);
  // Returns the ids actually deleted; ids not in the collection are skipped, not errors.
  Expected<std::vector<std::string>> delete_faces(const std::string& collection,
                                                  const std::vector<std::string>& face_ids);

  // Image calls (index, search) that AWS answered with 200 are metered here; the caller adds
  // record_would_call() once per frame with a face, and reads report() for the dashboard.
  CostMeter& meter() { return meter_; }
  CircuitState circuit_state() { return breaker_.state(std::chrono::steady_clock::now()); }

 private:
  struct Reply;
  Reply call(const std::string& operation, const std::string& json_body, bool billed_image_call);
  Reply call_creating_collection(const std::string& operation, const std::string& collection,
                                 const std::string& json_body);
  Reply attempt(const std::string& operation, const std::string& json_body);
  std::chrono::milliseconds backoff(int retry) const;

  const RekognitionConfig config_;
  const AwsCredentials credentials_;
  const std::string url_;
  const std::string host_;
  CircuitBreaker breaker_;
  CostMeter meter_;
};

}  // namespace fai::aws
