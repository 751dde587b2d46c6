#include "cloud/aws/credentials.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>

namespace fai::aws {
namespace {

std::string trim(const std::string& text) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  const auto first = std::find_if(text.begin(), text.end(), not_space);
  const auto last = std::find_if(text.rbegin(), text.rend(), not_space).base();
  return first < last ? std::string(first, last) : std::string();
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// key → value of one [profile] section; keys lower-cased, comments (# ;) skipped.
std::optional<std::map<std::string, std::string>> read_profile(std::ifstream& file,
                                                               const std::string& profile) {
  std::optional<std::map<std::string, std::string>> found;
  bool in_profile = false;
  for (std::string line; std::getline(file, line);) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_profile = trim(line.substr(1, line.size() - 2)) == profile;
      if (in_profile && !found) found.emplace();
      continue;
    }
    const size_t eq = line.find('=');
    if (in_profile && eq != std::string::npos) {
      (*found)[lower(trim(line.substr(0, eq)))] = trim(line.substr(eq + 1));
    }
  }
  return found;
}

std::optional<AwsCredentials> from_env(const EnvLookup& env) {
  auto key_id = env("AWS_ACCESS_KEY_ID");
  auto secret = env("AWS_SECRET_ACCESS_KEY");
  if (!key_id || !secret || key_id->empty() || secret->empty()) return std::nullopt;
  return AwsCredentials{*key_id, *secret, env("AWS_SESSION_TOKEN").value_or(""), "environment"};
}

std::string shared_file_path(const EnvLookup& env) {
  if (auto path = env("AWS_SHARED_CREDENTIALS_FILE"); path && !path->empty()) return *path;
  return env("HOME").value_or("") + "/.aws/credentials";
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value ? std::optional<std::string>(value) : std::nullopt;
}

Expected<AwsCredentials> read_credentials_file(const std::string& path,
                                               const std::string& profile) {
  std::ifstream file(path);
  if (!file) return make_error(ErrorCode::kNotFound, "no AWS credentials file at " + path);
  auto keys = read_profile(file, profile);
  const std::string where = path + " [" + profile + "]";
  if (!keys) return make_error(ErrorCode::kNotFound, "no profile in " + where);
  const std::string key_id = (*keys)["aws_access_key_id"];
  const std::string secret = (*keys)["aws_secret_access_key"];
  if (key_id.empty() || secret.empty()) {
    return make_error(ErrorCode::kCorrupt,
                      "aws_access_key_id or aws_secret_access_key missing in " + where);
  }
  return AwsCredentials{key_id, secret, (*keys)["aws_session_token"], where};
}

Expected<AwsCredentials> resolve_credentials(const AwsCredentials& configured,
                                             const EnvLookup& env) {
  if (!configured.access_key_id.empty() && !configured.secret_access_key.empty()) {
    AwsCredentials credentials = configured;
    credentials.source = "config";
    return credentials;
  }
  if (auto credentials = from_env(env)) return *credentials;
  std::string profile = env("AWS_PROFILE").value_or("");
  if (profile.empty()) profile = "default";
  auto from_file = read_credentials_file(shared_file_path(env), profile);
  if (!from_file.ok() && from_file.error().code == ErrorCode::kNotFound) {
    return make_error(ErrorCode::kNotFound,
                      "no AWS credentials: not in config, not in AWS_ACCESS_KEY_ID/"
                      "AWS_SECRET_ACCESS_KEY, and " +
                          from_file.error().message);
  }
  return from_file;
}

}  // namespace fai::aws
