#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "cloud/aws/credentials.h"

namespace fai::aws {
namespace {

namespace fs = std::filesystem;

using Env = std::map<std::string, std::string>;

EnvLookup lookup(const Env& env) {
  return [env](const std::string& name) -> std::optional<std::string> {
    const auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fai_aws_creds_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / ".aws");
    std::ofstream(dir_ / ".aws" / "credentials") << "# comment\n"
                                                    "[default]\n"
                                                    "aws_access_key_id = AKIDFILEDEFAULT\n"
                                                    "aws_secret_access_key=secret-default\n"
                                                    "\n"
                                                    "[ci]\n"
                                                    "; another comment\n"
                                                    "AWS_ACCESS_KEY_ID = AKIDFILECI\n"
                                                    "aws_secret_access_key = secret-ci\n"
                                                    "aws_session_token = token-ci\n"
                                                    "[broken]\n"
                                                    "aws_access_key_id = AKIDBROKEN\n";
    std::ofstream(dir_ / "other") << "[default]\naws_access_key_id=AKIDOTHER\n"
                                     "aws_secret_access_key=secret-other\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(CredentialsTest, FirstCompleteSourceWins) {
  const std::string home = dir_.string();
  const AwsCredentials none{};
  const AwsCredentials configured{"AKIDCONFIG", "secret-config", "", ""};
  const Env full_env{{"HOME", home},
                     {"AWS_ACCESS_KEY_ID", "AKIDENV"},
                     {"AWS_SECRET_ACCESS_KEY", "secret-env"},
                     {"AWS_SESSION_TOKEN", "token-env"}};
  struct Case {
    const char* what;
    AwsCredentials configured;
    Env env;
    std::string key_id, token, source;
  };
  const Case cases[] = {
      {"config beats everything", configured, full_env, "AKIDCONFIG", "", "config"},
      {"environment beats the file", none, full_env, "AKIDENV", "token-env", "environment"},
      {"half-set config is ignored",
       {"AKIDHALF", "", "", ""},
       full_env,
       "AKIDENV",
       "token-env",
       "environment"},
      {"key id without secret in env falls through",
       none,
       {{"HOME", home}, {"AWS_ACCESS_KEY_ID", "AKIDENV"}},
       "AKIDFILEDEFAULT",
       "",
       home + "/.aws/credentials [default]"},
      {"AWS_PROFILE picks the section",
       none,
       {{"HOME", home}, {"AWS_PROFILE", "ci"}},
       "AKIDFILECI",
       "token-ci",
       home + "/.aws/credentials [ci]"},
      {"AWS_SHARED_CREDENTIALS_FILE overrides the path",
       none,
       {{"HOME", home}, {"AWS_SHARED_CREDENTIALS_FILE", home + "/other"}},
       "AKIDOTHER",
       "",
       home + "/other [default]"},
  };
  for (const auto& c : cases) {
    auto credentials = resolve_credentials(c.configured, lookup(c.env));
    ASSERT_TRUE(credentials.ok()) << c.what << ": " << credentials.error().message;
    EXPECT_EQ(credentials->access_key_id, c.key_id) << c.what;
    EXPECT_EQ(credentials->session_token, c.token) << c.what;
    EXPECT_EQ(credentials->source, c.source) << c.what;
  }
}

TEST_F(CredentialsTest, ErrorsNameTheProblem) {
  const std::string home = dir_.string();
  struct Case {
    const char* what;
    Env env;
    ErrorCode code;
    std::string message_part;
  };
  const Case cases[] = {
      {"no file at all", {{"HOME", home + "/nowhere"}}, ErrorCode::kNotFound, "no AWS credentials"},
      {"unknown profile",
       {{"HOME", home}, {"AWS_PROFILE", "nope"}},
       ErrorCode::kNotFound,
       "[nope]"},
      {"profile without secret",
       {{"HOME", home}, {"AWS_PROFILE", "broken"}},
       ErrorCode::kCorrupt,
       "aws_secret_access_key"},
  };
  for (const auto& c : cases) {
    auto credentials = resolve_credentials({}, lookup(c.env));
    ASSERT_FALSE(credentials.ok()) << c.what;
    EXPECT_EQ(credentials.error().code, c.code) << c.what;
    EXPECT_NE(credentials.error().message.find(c.message_part), std::string::npos)
        << c.what << ": " << credentials.error().message;
  }
}

TEST(Credentials, ProcessEnvReadsTheRealEnvironment) {
  ::setenv("FAI_AWS_TEST_VARIABLE", "value", 1);
  EXPECT_EQ(process_env("FAI_AWS_TEST_VARIABLE"), "value");
  ::unsetenv("FAI_AWS_TEST_VARIABLE");
  EXPECT_EQ(process_env("FAI_AWS_TEST_VARIABLE"), std::nullopt);
}

}  // namespace
}  // namespace fai::aws
