#pragma once
// AWS credential resolution for the Rekognition client, in the SDKs' order (minus instance
// metadata, which an on-premise server does not have).

#include <functional>
#include <optional>
#include <string>

#include "core/expected.h"

namespace fai::aws {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::string source;         // where they came from, for logs: never the secret itself
};

// Reads one environment variable; nullopt when unset. Injected so tests need no setenv().
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> process_env(const std::string& name);

// First complete source wins: `configured` (both keys set) → AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN → the shared credentials file
// (AWS_SHARED_CREDENTIALS_FILE or $HOME/.aws/credentials, profile AWS_PROFILE or "default").
// kNotFound when none has a key pair; kCorrupt when the chosen profile lacks one of the keys.
Expected<AwsCredentials> resolve_credentials(const AwsCredentials& configured,
                                             const EnvLookup& env = process_env);

// Parses one profile of an INI credentials file; kNotFound when the file or profile is missing.
Expected<AwsCredentials> read_credentials_file(const std::string& path, const std::string& profile);

}  // namespace fai::aws
