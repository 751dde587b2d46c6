#include <gtest/gtest.h>

#include <thread>

#include "cloud/aws/rekognition.h"
#include "fake_rekognition.h"

namespace fai::aws {
namespace {

using namespace std::chrono_literals;
using testing::FakeRekognition;
using testing::Fault;

constexpr char kCollection[] = "factory-employees";

std::vector<uint8_t> image(const std::string& text) {
  return {text.begin(), text.end()};
}

AwsCredentials example_credentials(std::string session_token = "") {
  return {testing::kExampleAccessKeyId, testing::kExampleSecretKey, std::move(session_token),
          "test"};
}

// Short delays so retry and breaker tests run in milliseconds.
RekognitionConfig fast_config(const FakeRekognition& fake) {
  RekognitionConfig config;
  config.endpoint = fake.endpoint();
  config.connect_timeout = 1000ms;
  config.total_timeout = 3000ms;
  config.retry_base_delay = 1ms;
  config.retry_max_delay = 10ms;
  config.breaker_failure_threshold = 3;
  config.breaker_open = 300ms;
  return config;
}

class RekognitionTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const auto& violation : fake_.violations()) ADD_FAILURE() << "fake: " << violation;
  }
  FakeRekognition fake_;
};

TEST_F(RekognitionTest, EnrolSearchAndOffboard) {
  RekognitionClient client(fast_config(fake_), example_credentials());
  auto alice = client.index_faces(kCollection, image("alice.jpg"), "emp-0001");
  ASSERT_TRUE(alice.ok()) << alice.error().message;
  EXPECT_EQ(alice->external_image_id, "emp-0001");
  ASSERT_TRUE(client.index_faces(kCollection, image("bob.jpg"), "emp-0002").ok());

  auto found = client.search_faces_by_image(kCollection, image("alice.jpg"), 90, 5);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_TRUE(found->face_found);
  ASSERT_EQ(found->matches.size(), 1u);
  EXPECT_EQ(found->matches[0].face_id, alice->face_id);
  EXPECT_EQ(found->matches[0].external_image_id, "emp-0001");
  EXPECT_DOUBLE_EQ(found->matches[0].similarity_pct, 99.5);

  auto stranger = client.search_faces_by_image(kCollection, image("visitor.jpg"), 90, 5);
  ASSERT_TRUE(stranger.ok());
  EXPECT_TRUE(stranger->face_found);
  EXPECT_TRUE(stranger->matches.empty());

  auto deleted = client.delete_faces(kCollection, {alice->face_id, "not-a-face"});
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_EQ(*deleted, std::vector<std::string>{alice->face_id});
  auto gone = client.search_faces_by_image(kCollection, image("alice.jpg"), 90, 5);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->matches.empty());

  const CostReport cost = client.meter().report();
  EXPECT_EQ(cost.today.calls, 5);  // 2 index + 3 search; delete is not an image call
  EXPECT_DOUBLE_EQ(cost.today.cost_usd, 0.005);
}

TEST_F(RekognitionTest, CreatesTheCollectionOnFirstUseOnce) {
  RekognitionClient client(fast_config(fake_), example_credentials());
  EXPECT_FALSE(fake_.has_collection(kCollection));
  ASSERT_TRUE(client.search_faces_by_image(kCollection, image("a.jpg"), 80, 1).ok());
  EXPECT_TRUE(fake_.has_collection(kCollection));
  EXPECT_EQ(fake_.requests("CreateCollection"), 1);
  EXPECT_EQ(fake_.requests("SearchFacesByImage"), 2);       // not found, then after the create
  EXPECT_TRUE(client.create_collection(kCollection).ok());  // already exists: still success
  EXPECT_EQ(client.meter().report().today.calls, 1);        // only the answered search is billed
}

TEST_F(RekognitionTest, NoFaceIsAResultForSearchAndAnErrorForEnrolment) {
  RekognitionClient client(fast_config(fake_), example_credentials());
  ASSERT_TRUE(client.create_collection(kCollection).ok());
  auto search = client.search_faces_by_image(kCollection, image("noface-wall.jpg"), 80, 1);
  ASSERT_TRUE(search.ok()) << search.error().message;
  EXPECT_FALSE(search->face_found);
  auto enrol = client.index_faces(kCollection, image("noface-wall.jpg"), "emp-0003");
  ASSERT_FALSE(enrol.ok());
  EXPECT_EQ(enrol.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(RekognitionTest, DeleteFromMissingCollectionIsNotFound) {
  RekognitionClient client(fast_config(fake_), example_credentials());
  auto deleted = client.delete_faces("nobody-here", {"face"});
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(fake_.has_collection("nobody-here"));
}

TEST_F(RekognitionTest, RetriesOnlyWhatIsWorthRetrying) {
  struct Case {
    const char* what;
    Fault fault;
    int faults;
    int max_attempts;
    bool ok;
    int attempts;
    std::string message_part;
  };
  const Case cases[] = {
      {"throttled twice, then answered", Fault::kThrottle, 2, 4, true, 3, ""},
      {"one 500, then answered", Fault::kServerError, 1, 4, true, 2, ""},
      {"throttled past the attempt budget", Fault::kThrottle, 5, 3, false, 3, "Throttling"},
      {"rejected credentials are not retried", Fault::kAccessDenied, 1, 4, false, 1, "credentials"},
  };
  for (const auto& c : cases) {
    FakeRekognition fake;
    RekognitionConfig config = fast_config(fake);
    config.max_attempts = c.max_attempts;
    RekognitionClient client(config, example_credentials());
    ASSERT_TRUE(client.create_collection(kCollection).ok()) << c.what;
    fake.inject(c.fault, c.faults);
    auto result = client.search_faces_by_image(kCollection, image("a.jpg"), 80, 1);
    EXPECT_EQ(result.ok(), c.ok) << c.what;
    EXPECT_EQ(fake.requests("SearchFacesByImage"), c.attempts) << c.what;
    if (!c.ok) {
      EXPECT_EQ(result.error().code, ErrorCode::kUnavailable) << c.what;
      EXPECT_NE(result.error().message.find(c.message_part), std::string::npos)
          << c.what << ": " << result.error().message;
    }
    EXPECT_TRUE(fake.violations().empty()) << c.what;
  }
}

TEST_F(RekognitionTest, HungServerTimesOut) {
  RekognitionConfig config = fast_config(fake_);
  config.total_timeout = 300ms;
  config.max_attempts = 1;
  RekognitionClient client(config, example_credentials());
  ASSERT_TRUE(client.create_collection(kCollection).ok());
  fake_.inject(Fault::kHang, 1);
  const auto start = std::chrono::steady_clock::now();
  auto result = client.search_faces_by_image(kCollection, image("a.jpg"), 80, 1);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(result.error().message.find("timed out"), std::string::npos) << result.error().message;
  EXPECT_LT(elapsed, 3s);
}

TEST_F(RekognitionTest, CircuitOpensFailsFastAndRecovers) {
  RekognitionConfig config = fast_config(fake_);
  config.max_attempts = 1;
  config.breaker_failure_threshold = 2;
  RekognitionClient client(config, example_credentials());
  ASSERT_TRUE(client.create_collection(kCollection).ok());
  fake_.inject(Fault::kServerError, 2);
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(client.search_faces_by_image(kCollection, image("a.jpg"), 80, 1).ok());
  }
  auto fast_fail = client.search_faces_by_image(kCollection, image("a.jpg"), 80, 1);
  ASSERT_FALSE(fast_fail.ok());
  EXPECT_EQ(fast_fail.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(fast_fail.error().message.find("circuit open"), std::string::npos);
  EXPECT_EQ(fake_.requests("SearchFacesByImage"), 2);  // the open circuit sent nothing

  std::this_thread::sleep_for(config.breaker_open + 50ms);
  EXPECT_TRUE(client.search_faces_by_image(kCollection, image("a.jpg"), 80, 1).ok());
  EXPECT_EQ(fake_.requests("SearchFacesByImage"), 3);
}

TEST_F(RekognitionTest, BudgetCapFallsBackBeforeSending) {
  RekognitionConfig config = fast_config(fake_);
  config.metering = CostMeterConfig{0.001, 0.002};
  RekognitionClient client(config, example_credentials());
  ASSERT_TRUE(client.create_collection(kCollection).ok());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.search_faces_by_image(kCollection, image("a.jpg"), 80, 1).ok()) << i;
  }
  auto capped = client.search_faces_by_image(kCollection, image("a.jpg"), 80, 1);
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(capped.error().message.find("budget"), std::string::npos);
  EXPECT_EQ(fake_.requests("SearchFacesByImage"), 2);
  EXPECT_DOUBLE_EQ(client.meter().report().this_month.cost_usd, 0.002);
}

TEST(Rekognition, SessionTokenAndRegionAreSentAndSigned) {
  FakeRekognition fake("eu-west-1", "session-token-example");
  RekognitionConfig config = fast_config(fake);
  config.region = "eu-west-1";
  RekognitionClient client(config, example_credentials("session-token-example"));
  EXPECT_TRUE(client.create_collection(kCollection).ok());
  EXPECT_TRUE(fake.violations().empty()) << fake.violations().front();
}

TEST(Rekognition, FakeRejectsAWrongSignature) {
  FakeRekognition fake;
  AwsCredentials wrong = example_credentials();
  wrong.secret_access_key = "not-the-secret";
  RekognitionClient client(fast_config(fake), wrong);
  EXPECT_FALSE(client.create_collection(kCollection).ok());
  const auto violations = fake.violations();
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].find("signature mismatch"), std::string::npos) << violations[0];
}

TEST_F(RekognitionTest, BadInputIsRejectedLocally) {
  RekognitionClient client(fast_config(fake_), example_credentials());
  const std::vector<uint8_t> face = image("a.jpg");
  const std::vector<uint8_t> huge(5 * 1024 * 1024 + 1, 0xff);
  struct Case {
    const char* what;
    Status status;
    ErrorCode code;
  };
  const auto status_of = [](const auto& result) {
    return result.ok() ? Status() : Status(result.error());
  };
  const Case cases[] = {
      {"collection id with a space", client.create_collection("bad id"),
       ErrorCode::kInvalidArgument},
      {"empty image", status_of(client.search_faces_by_image(kCollection, {}, 80, 1)),
       ErrorCode::kInvalidArgument},
      {"image over 5 MB", status_of(client.search_faces_by_image(kCollection, huge, 80, 1)),
       ErrorCode::kTooLarge},
      {"similarity over 100 %", status_of(client.search_faces_by_image(kCollection, face, 150, 1)),
       ErrorCode::kInvalidArgument},
      {"external id with a slash", status_of(client.index_faces(kCollection, face, "emp/1")),
       ErrorCode::kInvalidArgument},
      {"no face ids", status_of(client.delete_faces(kCollection, {})), ErrorCode::kInvalidArgument},
  };
  for (const auto& c : cases) {
    ASSERT_FALSE(c.status.ok()) << c.what;
    EXPECT_EQ(c.status.error().code, c.code) << c.what;
  }
  EXPECT_EQ(fake_.requests("CreateCollection") + fake_.requests("SearchFacesByImage") +
                fake_.requests("IndexFaces") + fake_.requests("DeleteFaces"),
            0);
}

}  // namespace
}  // namespace fai::aws
