#pragma once
// Configuration of face recognition, the AWS Rekognition backend and the attendance ledger
// (sections recognition, aws, attendance of the YAML file; config/example.yaml documents them).

#include <string>
#include <vector>

namespace fai {

struct RecognitionConfig {
  bool enabled = true;         // false: no face work at all (faces_recognized stays empty)
  std::string mode = "local";  // local | aws | hybrid (local first, AWS when local is unsure)
  // Cosine similarity for a local match: `eval faces` on dlib_johns calibrates 0.618 for <= 1 %
  // false accepts of held-out strangers (docs/decisions.md).
  float threshold = 0.62f;
  int cache_ttl_s = 600;      // a recognised track is not recognised again for this long
  int max_attempts = 3;       // face reads per track before its vote is decided
  float hybrid_band = 0.08f;  // hybrid: AWS when |local similarity - threshold| < this
  bool keep_photos = false;   // enrolment photos are kept only when true (biometric data)
};

struct AwsConfig {
  std::string region = "us-east-1";
  std::string endpoint;  // empty: https://rekognition.<region>.amazonaws.com
  std::string collection_id = "factoryai-employees";
  std::string access_key_id;  // empty: AWS_* environment, then ~/.aws/credentials
  std::string secret_access_key;
  std::string session_token;
  std::string profile = "default";
  double price_per_image_usd = 0.001;
  double monthly_budget_usd = 0;   // 0 = no cap; over the cap recognition falls back to local
  double min_similarity_pct = 90;  // SearchFacesByImage matches below this are unknown
  int timeout_ms = 5000;
  int max_retries = 3;
};

struct AttendanceConfig {
  int grace_minutes = 5;                      // a check-in up to this late is on time
  int early_leave_minutes = 15;               // leaving this long before shift end is early
  float min_confidence = 0.7f;                // recognitions below this do not check in
  std::vector<std::string> entrance_cameras;  // empty: every camera can check in
  std::vector<std::string> exit_lines;        // "camera/line": an 'out' crossing checks out
  // Shift times are local: local time = UTC + this (e.g. 330 for India, 60 for CET winter).
  int utc_offset_minutes = 0;
};

}  // namespace fai
