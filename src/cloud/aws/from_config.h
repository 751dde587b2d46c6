#pragma once
// The Rekognition client the server uses, built from the YAML `aws` section.

#include <memory>

#include "cloud/aws/rekognition.h"
#include "config/identity_config.h"
#include "core/expected.h"

namespace fai::aws {

RekognitionConfig rekognition_config(const AwsConfig& aws);

// Resolves credentials (config keys, then AWS_* environment, then the shared credentials file)
// and returns one shared, thread-safe client; kNotFound when no credentials are found.
Expected<std::shared_ptr<RekognitionClient>> make_rekognition_client(const AwsConfig& aws);

}  // namespace fai::aws
