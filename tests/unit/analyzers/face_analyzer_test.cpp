// FaceAnalyzer on a real photo (face-api's sample6.jpg: four different women) with the real
// models: person tracks around two of the faces, one of them enrolled from a degraded
// re-capture of the photo (so the match is a real, imperfect one). AWS runs against the fake
// Rekognition server, which matches by identical image bytes: the test enrols the exact JPEG
// face crop the analyzer will send.

#include <filesystem>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "../cloud/fake_rekognition.h"
#include "pipeline/analyzers/face_analyzer.h"
#include "subprocess.h"

namespace fai {
namespace {

using namespace std::chrono_literals;
using aws::testing::FakeRekognition;
using aws::testing::Fault;

constexpr char kCamera[] = "gate";
constexpr char kCollection[] = "employees";
constexpr int64_t kAdaTrack = 1, kStrangerTrack = 2;
const cv::Point2f kAdaFace{776, 501}, kStrangerFace{1259, 459};  // face centres in sample6.jpg
const SystemTime kT0 = SystemTime{} + 480000h;

// Head and shoulders of a person whose face is at `face`: the face is in the upper half.
Box person_box(cv::Point2f face) {
  return {face.x - 200, face.y - 150, face.x + 200, face.y + 450};
}

cv::Mat recaptured(const cv::Mat& image) {
  cv::Mat small;
  cv::resize(image, small, cv::Size(), 0.6, 0.6, cv::INTER_AREA);
  small.convertTo(small, -1, 0.8, -10);
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, 40});
  return cv::imdecode(jpeg, cv::IMREAD_COLOR);
}

aws::RekognitionConfig fast_config(const FakeRekognition& fake) {
  aws::RekognitionConfig config;
  config.endpoint = fake.endpoint();
  config.retry_base_delay = 1ms;
  config.retry_max_delay = 5ms;
  config.max_attempts = 1;
  config.breaker_failure_threshold = 2;
  config.breaker_open = 3600s;
  return config;
}

class FaceAnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string photo = std::string(FAI_FACE_API_DEMO_DIR) + "/sample6.jpg";
    manifest_ = load_manifest(test::models_dir());
    const bool have = manifest_.ok() && manifest_->find("blazeface") &&
                      manifest_->find("faceres") && std::filesystem::exists(photo);
    if (!have) {
      if (test::models_required()) FAIL() << "models or the face-api package are missing";
      GTEST_SKIP() << "needs models/ (blazeface, faceres) and the face-api package in .cache "
                      "(make models)";
    }
    image_ = cv::imread(photo);
    ASSERT_FALSE(image_.empty());
    auto models = open_models();
    // Ada's template: her face in the degraded re-capture (coordinates scaled by 0.6).
    const cv::Mat again = recaptured(image_);
    const Box region = person_box(kAdaFace * 0.6f);
    auto faces = models.detector->detect(again, {region.x1, region.y1, region.x2, region.y1 + 200});
    ASSERT_TRUE(faces.ok() && !faces->empty());
    auto aligned = align_face(again, faces->front(), models.embedder->face_template());
    ASSERT_TRUE(aligned.ok());
    auto embedding = models.embedder->embed(*aligned);
    ASSERT_TRUE(embedding.ok());
    ada_template_ = *embedding;
    // Her similarity to the original photo, for thresholds on either side of it.
    auto original = models.detector->detect(image_, face_region(kAdaFace));
    ASSERT_TRUE(original.ok() && !original->empty());
    ada_face_box_ = original->front().box;
    auto aligned_original = align_face(image_, original->front(), models.embedder->face_template());
    auto original_embedding = models.embedder->embed(*aligned_original);
    ASSERT_TRUE(original_embedding.ok());
    ada_similarity_ = cosine_similarity(ada_template_, *original_embedding);
    ASSERT_GT(ada_similarity_, 0.7f);
  }

  // The region FaceAnalyzer searches for the face of a person at `face`.
  static Box face_region(cv::Point2f face) {
    const Box p = person_box(face);
    return {p.x1, p.y1 - 0.1f * p.height(), p.x2, p.y1 + 0.5f * p.height()};
  }

  FaceModels open_models() {
    auto models = open_face_models(*manifest_, Backend::kOpenCv, 2);
    EXPECT_TRUE(models.ok()) << models.error().message;
    return std::move(*models);
  }

  std::unique_ptr<FaceAnalyzer> make_analyzer(
      float threshold, const std::string& mode = "local",
      std::shared_ptr<aws::RekognitionClient> client = nullptr) {
    gallery_ = std::make_shared<Gallery>(threshold);
    EXPECT_TRUE(gallery_->enrol("emp-ada", ada_template_).ok());
    FaceAnalyzerOptions options;
    options.recognition.mode = mode;
    options.recognition.max_attempts = 3;
    options.recognition.cache_ttl_s = 60;
    options.aws_collection = kCollection;
    auto names = [](const std::string& id) { return id == "emp-ada" ? "Ada" : ""; };
    return std::make_unique<FaceAnalyzer>(open_models(), gallery_, names, options,
                                          std::move(client));
  }

  // One frame with Ada's and the stranger's tracks visible (or only the listed ones).
  FrameOutcome run_frame(FaceAnalyzer& analyzer, int seq,
                         std::vector<int64_t> visible = {kAdaTrack, kStrangerTrack},
                         std::vector<int64_t> ended = {}) {
    FrameOutcome out;
    out.camera_id = kCamera;
    out.timestamp = kT0 + std::chrono::seconds(seq);
    for (int64_t id : visible) {
      const Box box = person_box(id == kAdaTrack ? kAdaFace : kStrangerFace);
      out.detections.push_back({box, 0.9f, coco::kPerson});
      Track t;
      t.id = id;
      t.box = box;
      t.class_id = coco::kPerson;
      t.state = TrackState::kTracked;
      t.det_index = static_cast<int>(out.detections.size()) - 1;
      out.tracks.push_back(t);
    }
    const std::string camera = kCamera;
    const AnalyzerFrame frame{camera, image_, out.timestamp, seq, ended};
    const Status st = analyzer.on_frame(frame, out);
    EXPECT_TRUE(st.ok()) << st.error().message;
    return out;
  }

  static const FaceRecognition* find(const FrameOutcome& out, int64_t track) {
    for (const auto& f : out.faces_recognized) {
      if (f.track_id == track) return &f;
    }
    return nullptr;
  }

  Expected<ModelManifest> manifest_ = make_error(ErrorCode::kNotFound, "not loaded");
  cv::Mat image_;
  Embedding ada_template_;
  Box ada_face_box_;
  float ada_similarity_ = 0;
  std::shared_ptr<Gallery> gallery_;
};

TEST_F(FaceAnalyzerTest, RecognisesTheEnrolledPersonOnceThenFromTheCache) {
  auto analyzer = make_analyzer(ada_similarity_ - 0.2f);
  int decided_frames = 0;
  std::string source;
  for (int seq = 1; seq <= 6; ++seq) {
    const FrameOutcome out = run_frame(*analyzer, seq);
    const FaceRecognition* ada = find(out, kAdaTrack);
    EXPECT_EQ(find(out, kStrangerTrack), nullptr) << "the stranger is never recognised";
    if (!ada) {
      EXPECT_EQ(decided_frames, 0) << "once decided, every frame reports her (frame " << seq << ")";
      continue;
    }
    EXPECT_EQ(ada->employee_id, "emp-ada");
    EXPECT_EQ(ada->name, "Ada");
    EXPECT_GT(ada->confidence, 0.5f);
    if (ada->decided_now) {
      ++decided_frames;
      EXPECT_EQ(ada->source, "local");
    } else {
      EXPECT_EQ(ada->source, "cache");
      EXPECT_GE(out.cache_hits, 1);
    }
  }
  EXPECT_EQ(decided_frames, 1);
  const FaceAnalyzerStats s = analyzer->stats();
  EXPECT_EQ(s.frames, 6);
  EXPECT_EQ(s.person_tracks, 2);
  EXPECT_EQ(s.person_detections, 12);
  EXPECT_EQ(s.cache.decisions, 2) << "Ada and the stranger (unknown) are each decided once";
  EXPECT_EQ(s.cache.identified, 1);
  EXPECT_LE(s.cache.reads, 6) << "at most max_attempts reads per track";
  EXPECT_EQ(s.would_calls, 12) << "the cache-less design sends every visible face";
  EXPECT_EQ(analyzer->meter().report().today.calls_without_cache, 12);
  EXPECT_EQ(analyzer->meter().report().today.calls, 0);
}

TEST_F(FaceAnalyzerTest, AnEndedTrackIsReadAgainUnderItsNextId) {
  auto analyzer = make_analyzer(ada_similarity_ - 0.2f);
  for (int seq = 1; seq <= 4; ++seq) run_frame(*analyzer, seq, {kAdaTrack});
  EXPECT_EQ(analyzer->stats().cache.entries, 1u);
  run_frame(*analyzer, 5, {}, {kAdaTrack});
  EXPECT_EQ(analyzer->stats().cache.entries, 0u);
  const FrameOutcome again = run_frame(*analyzer, 6, {kAdaTrack});
  const FaceRecognition* ada = find(again, kAdaTrack);
  ASSERT_NE(ada, nullptr);
  EXPECT_TRUE(ada->decided_now);
  EXPECT_EQ(ada->source, "local");
}

TEST_F(FaceAnalyzerTest, AboveTheSimilarityNobodyIsRecognised) {
  auto analyzer = make_analyzer(std::min(ada_similarity_ + 0.1f, 0.999f));
  for (int seq = 1; seq <= 5; ++seq) {
    EXPECT_TRUE(run_frame(*analyzer, seq).faces_recognized.empty()) << seq;
  }
  EXPECT_EQ(analyzer->stats().cache.decisions, 2);
  EXPECT_EQ(analyzer->stats().cache.identified, 0);
}

class FaceAnalyzerAwsTest : public FaceAnalyzerTest {
 protected:
  void SetUp() override {
    FaceAnalyzerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    client_ = std::make_shared<aws::RekognitionClient>(
        fast_config(fake_), aws::AwsCredentials{aws::testing::kExampleAccessKeyId,
                                                aws::testing::kExampleSecretKey, "", "test"});
    // Created up front, so searches are counted one request each.
    ASSERT_TRUE(client_->create_collection(kCollection).ok());
  }
  void TearDown() override {
    for (const auto& violation : fake_.violations()) ADD_FAILURE() << "fake: " << violation;
  }
  // Enrols Ada in the fake collection under the exact crop the analyzer sends.
  void enrol_ada_in_aws(aws::RekognitionClient& client) {
    ASSERT_TRUE(
        client.index_faces(kCollection, face_crop_jpeg(image_, ada_face_box_), "emp-ada").ok());
  }

  FakeRekognition fake_;
  std::shared_ptr<aws::RekognitionClient> client_;
};

TEST_F(FaceAnalyzerAwsTest, HybridAsksAwsOnlyWhenLocalIsAmbiguous) {
  enrol_ada_in_aws(*client_);
  {  // clear local match (and a clear non-match for the stranger): no AWS call
    auto analyzer = make_analyzer(ada_similarity_ - 0.3f, "hybrid", client_);
    for (int seq = 1; seq <= 4; ++seq) run_frame(*analyzer, seq, {kAdaTrack});
    EXPECT_EQ(fake_.requests("SearchFacesByImage"), 0);
    EXPECT_EQ(analyzer->stats().aws_requests, 0);
  }
  // Threshold just under her similarity: local is unsure, AWS decides.
  auto analyzer = make_analyzer(ada_similarity_ - 0.01f, "hybrid", client_);
  const FrameOutcome out = run_frame(*analyzer, 1, {kAdaTrack});
  const FaceRecognition* ada = find(out, kAdaTrack);
  ASSERT_NE(ada, nullptr) << "AWS' 99.5 % match decides at once";
  EXPECT_EQ(ada->source, "aws");
  EXPECT_TRUE(ada->decided_now);
  EXPECT_EQ(ada->employee_id, "emp-ada");
  EXPECT_EQ(out.aws_calls, 1);
  EXPECT_DOUBLE_EQ(out.aws_cost, 0.001);
  EXPECT_EQ(fake_.requests("SearchFacesByImage"), 1);
  // Cached: no more calls.
  for (int seq = 2; seq <= 5; ++seq) EXPECT_EQ(run_frame(*analyzer, seq, {kAdaTrack}).aws_calls, 0);
  EXPECT_EQ(fake_.requests("SearchFacesByImage"), 1);
  const auto report = client_->meter().report();
  EXPECT_EQ(report.today.calls, 2) << "the enrolment and the search";
  EXPECT_EQ(report.today.calls_without_cache, 5 + 4) << "both analyzers' visible faces";
}

TEST_F(FaceAnalyzerAwsTest, AwsModeSendsEveryReadUntilDecided) {
  auto analyzer = make_analyzer(ada_similarity_ - 0.2f, "aws", client_);
  // Nobody enrolled in AWS: three unknown reads of Ada (AWS is the authority in aws mode).
  for (int seq = 1; seq <= 5; ++seq) {
    EXPECT_TRUE(run_frame(*analyzer, seq, {kAdaTrack}).faces_recognized.empty());
  }
  EXPECT_EQ(fake_.requests("SearchFacesByImage"), 3);
  EXPECT_EQ(analyzer->stats().cache.decisions, 1);
  EXPECT_EQ(client_->meter().report().today.calls, 3);
}

TEST_F(FaceAnalyzerAwsTest, BudgetCapFallsBackToLocal) {
  auto config = fast_config(fake_);
  config.metering.monthly_budget_usd = 0.0005;  // less than one image at 0.001
  auto capped = std::make_shared<aws::RekognitionClient>(
      config, aws::AwsCredentials{aws::testing::kExampleAccessKeyId,
                                  aws::testing::kExampleSecretKey, "", "test"});
  auto analyzer = make_analyzer(ada_similarity_ - 0.2f, "aws", capped);
  std::vector<std::string> sources;
  for (int seq = 1; seq <= 5; ++seq) {
    const FrameOutcome out = run_frame(*analyzer, seq, {kAdaTrack});
    if (const FaceRecognition* ada = find(out, kAdaTrack)) sources.push_back(ada->source);
  }
  EXPECT_EQ(fake_.requests("SearchFacesByImage"), 0) << "the budget allows no image";
  EXPECT_GE(analyzer->stats().aws_skipped, 1);
  ASSERT_FALSE(sources.empty()) << "local recognition took over";
  EXPECT_EQ(sources.front(), "local");
  EXPECT_FALSE(capped->meter().allow());
}

TEST_F(FaceAnalyzerAwsTest, OpenCircuitFallsBackToLocal) {
  fake_.inject(Fault::kServerError, 100);
  // Local reads just above the threshold are not sure enough to decide alone: three reads.
  auto analyzer = make_analyzer(ada_similarity_ - 0.05f, "aws", client_);
  const FaceRecognition* decided = nullptr;
  FrameOutcome out;
  for (int seq = 1; seq <= 5 && !decided; ++seq) {
    out = run_frame(*analyzer, seq, {kAdaTrack});
    decided = find(out, kAdaTrack);
  }
  ASSERT_NE(decided, nullptr) << "local answered while AWS failed";
  EXPECT_EQ(decided->source, "local");
  EXPECT_EQ(decided->employee_id, "emp-ada");
  EXPECT_EQ(fake_.requests("SearchFacesByImage"), 2) << "two failures open the circuit";
  EXPECT_EQ(analyzer->circuit_state(), "open");
  const FaceAnalyzerStats s = analyzer->stats();
  EXPECT_EQ(s.aws_failures, 2);
  EXPECT_EQ(s.aws_skipped, s.cache.reads - 2);
  EXPECT_EQ(client_->meter().report().today.calls, 0) << "failed calls are not billed";
}

TEST_F(FaceAnalyzerAwsTest, DryRunCountsWhatWouldBeSent) {
  auto analyzer = make_analyzer(ada_similarity_ - 0.2f, "aws", nullptr);
  // make_analyzer sets options; the dry run needs its own.
  FaceAnalyzerOptions options = analyzer->options();
  options.aws_dry_run = true;
  FaceAnalyzer dry(open_models(), gallery_, nullptr, options, nullptr);
  int calls = 0;
  for (int seq = 1; seq <= 5; ++seq) calls += run_frame(dry, seq, {kAdaTrack}).aws_calls;
  EXPECT_EQ(calls, static_cast<int>(dry.stats().cache.reads));
  EXPECT_EQ(dry.stats().aws_requests, calls);
  EXPECT_EQ(fake_.requests("SearchFacesByImage"), 0);
}

}  // namespace
}  // namespace fai
