#include "cloud/aws/from_config.h"

namespace fai::aws {

RekognitionConfig rekognition_config(const AwsConfig& aws) {
  RekognitionConfig rc;
  rc.region = aws.region;
  rc.endpoint = aws.endpoint;
  rc.total_timeout = std::chrono::milliseconds(aws.timeout_ms);
  rc.max_attempts = aws.max_retries + 1;
  rc.metering.price_per_image_usd = aws.price_per_image_usd;
  if (aws.monthly_budget_usd > 0) rc.metering.monthly_budget_usd = aws.monthly_budget_usd;
  return rc;
}

Expected<std::shared_ptr<RekognitionClient>> make_rekognition_client(const AwsConfig& aws) {
  const AwsCredentials configured{aws.access_key_id, aws.secret_access_key, aws.session_token,
                                  "config"};
  auto credentials = resolve_credentials(configured);
  if (!credentials) return credentials.error();
  return std::make_shared<RekognitionClient>(rekognition_config(aws), std::move(*credentials));
}

}  // namespace fai::aws
