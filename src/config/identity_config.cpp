#include "config/section_readers.h"

namespace fai::config_detail {

void read_recognition(MapReader&& r, RecognitionConfig& c) {
  r.field("enabled", c.enabled)
      .field("mode", c.mode)
      .field("threshold", c.threshold)
      .field("cache_ttl_s", c.cache_ttl_s)
      .field("max_attempts", c.max_attempts)
      .field("hybrid_band", c.hybrid_band)
      .field("keep_photos", c.keep_photos)
      .finish();
}

void read_aws(MapReader&& r, AwsConfig& c) {
  r.field("region", c.region)
      .field("endpoint", c.endpoint)
      .field("collection_id", c.collection_id)
      .field("access_key_id", c.access_key_id)
      .field("secret_access_key", c.secret_access_key)
      .field("session_token", c.session_token)
      .field("profile", c.profile)
      .field("price_per_image_usd", c.price_per_image_usd)
      .field("monthly_budget_usd", c.monthly_budget_usd)
      .field("min_similarity_pct", c.min_similarity_pct)
      .field("timeout_ms", c.timeout_ms)
      .field("max_retries", c.max_retries)
      .finish();
}

void read_attendance(MapReader&& r, AttendanceConfig& c) {
  r.field("grace_minutes", c.grace_minutes)
      .field("early_leave_minutes", c.early_leave_minutes)
      .field("min_confidence", c.min_confidence)
      .field("entrance_cameras", c.entrance_cameras)
      .field("exit_lines", c.exit_lines)
      .field("utc_offset_minutes", c.utc_offset_minutes)
      .finish();
}

void validate_identity(const RecognitionConfig& rec, const AwsConfig& aws,
                       const AttendanceConfig& att, std::vector<std::string>& problems) {
  if (rec.mode != "local" && rec.mode != "aws" && rec.mode != "hybrid") {
    problems.push_back("recognition.mode: '" + rec.mode + "' is not one of local, aws, hybrid");
  }
  if (rec.threshold < -1.0f || rec.threshold > 1.0f) {
    problems.push_back("recognition.threshold: a cosine similarity in -1..1");
  }
  if (rec.cache_ttl_s < 1) problems.push_back("recognition.cache_ttl_s: at least 1");
  if (rec.max_attempts < 1) problems.push_back("recognition.max_attempts: at least 1");
  if (rec.hybrid_band < 0 || rec.hybrid_band > 1) {
    problems.push_back("recognition.hybrid_band: a similarity margin in 0..1");
  }
  if (aws.min_similarity_pct < 0 || aws.min_similarity_pct > 100) {
    problems.push_back("aws.min_similarity_pct: a percentage in 0..100");
  }
  if (aws.price_per_image_usd < 0) problems.push_back("aws.price_per_image_usd: must be >= 0");
  if (aws.monthly_budget_usd < 0) problems.push_back("aws.monthly_budget_usd: must be >= 0");
  if (aws.timeout_ms < 100) problems.push_back("aws.timeout_ms: at least 100");
  if (aws.max_retries < 0) problems.push_back("aws.max_retries: must be >= 0");
  if (att.grace_minutes < 0) problems.push_back("attendance.grace_minutes: must be >= 0");
  if (att.early_leave_minutes < 0) {
    problems.push_back("attendance.early_leave_minutes: must be >= 0");
  }
  if (att.min_confidence < 0 || att.min_confidence > 1) {
    problems.push_back("attendance.min_confidence: not in 0..1");
  }
  if (att.utc_offset_minutes < -14 * 60 || att.utc_offset_minutes > 14 * 60) {
    problems.push_back("attendance.utc_offset_minutes: in -840..840");
  }
  for (const auto& line : att.exit_lines) {
    if (line.empty() || line.front() == '/' || line.back() == '/') {
      problems.push_back("attendance.exit_lines: '" + line + "' is not camera/line or line");
    }
  }
}

}  // namespace fai::config_detail
