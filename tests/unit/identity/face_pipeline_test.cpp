// End to end on face-api's demo photos (group photos, 1920 px wide, different women in each):
// BlazeFace inside person-sized regions, alignment, faceres embeddings. The package has no second
// photo of anyone, so "same person" is sample6's first face re-captured: the photo shrunk to 60 %,
// darkened and re-encoded as JPEG at quality 40.

#include <filesystem>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "analytics/identity/face_detector.h"
#include "analytics/identity/face_embedder.h"
#include "subprocess.h"

namespace fai {
namespace {

constexpr float kRegionPx = 400;  // about a person's head and shoulders in these photos

// Face centres in sample6.jpg, found by running BlazeFace over tiles of the photo.
const cv::Point2f kSample6Faces[] = {{776, 501}, {1259, 459}, {1583, 429}, {348, 642}};

Box region_around(cv::Point2f centre, float scale = 1) {
  const float half = 0.5f * kRegionPx * scale;
  return {centre.x * scale - half, centre.y * scale - half, centre.x * scale + half,
          centre.y * scale + half};
}

bool inside(const cv::Point2f& p, const Box& b) {
  return p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2;
}

class FacePipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string photo = std::string(FAI_FACE_API_DEMO_DIR) + "/sample6.jpg";
    auto manifest = load_manifest(test::models_dir());
    const bool have = manifest.ok() && manifest->find("blazeface") && manifest->find("faceres") &&
                      std::filesystem::exists(photo);
    if (!have) {
      if (test::models_required()) FAIL() << "models or the face-api package are missing";
      GTEST_SKIP() << "needs models/ (blazeface, faceres) and the fetched face-api package";
    }
    auto detector = FaceDetector::open(*manifest->find("blazeface"), Backend::kOpenCv, 2, {});
    auto embedder = FaceEmbedder::open(*manifest->find("faceres"), Backend::kOpenCv, 2);
    ASSERT_TRUE(detector.ok()) << detector.error().message;
    ASSERT_TRUE(embedder.ok()) << embedder.error().message;
    detector_ = std::move(*detector);
    embedder_ = std::move(*embedder);
    image_ = cv::imread(photo);
    ASSERT_FALSE(image_.empty());
  }

  Face best_face(const cv::Mat& image, const Box& region) {
    auto faces = detector_->detect(image, region);
    EXPECT_TRUE(faces.ok() && !faces->empty()) << "no face in region";
    return faces.ok() && !faces->empty() ? faces->front() : Face{};
  }

  Embedding embed(const cv::Mat& image, const Face& face) {
    auto aligned = align_face(image, face, embedder_->face_template());
    EXPECT_TRUE(aligned.ok());
    auto embedding = embedder_->embed(*aligned);
    EXPECT_TRUE(embedding.ok()) << embedding.error().message;
    return *embedding;
  }

  std::unique_ptr<FaceDetector> detector_;
  std::unique_ptr<FaceEmbedder> embedder_;
  cv::Mat image_;
};

TEST_F(FacePipeline, FindsEachFaceWithKeypointsInsideItsBox) {
  for (const cv::Point2f& centre : kSample6Faces) {
    const Box region = region_around(centre);
    const Face face = best_face(image_, region);
    EXPECT_GT(face.score, 0.8f) << centre;
    EXPECT_TRUE(inside(centre, face.box)) << centre;
    EXPECT_GT(face.box.width(), 60.0f) << centre;
    for (FaceKeypoint k : {FaceKeypoint::kRightEye, FaceKeypoint::kLeftEye, FaceKeypoint::kNose,
                           FaceKeypoint::kMouth}) {
      EXPECT_TRUE(inside(face.at(k), face.box)) << centre << " keypoint " << static_cast<int>(k);
    }
    EXPECT_LT(face.at(FaceKeypoint::kRightEye).x, face.at(FaceKeypoint::kLeftEye).x) << centre;
  }
}

TEST_F(FacePipeline, SamePersonRecapturedIsCloserThanOtherPeople) {
  std::vector<Embedding> people;
  for (const cv::Point2f& centre : kSample6Faces) {
    people.push_back(embed(image_, best_face(image_, region_around(centre))));
  }
  constexpr float kRecaptureScale = 0.6f;
  cv::Mat small, encoded;
  cv::resize(image_, small, cv::Size(), kRecaptureScale, kRecaptureScale, cv::INTER_AREA);
  small.convertTo(small, -1, 0.8, -10);
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, 40});
  const cv::Mat recaptured = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  const Embedding again =
      embed(recaptured, best_face(recaptured, region_around(kSample6Faces[0], kRecaptureScale)));

  const float same = cosine_similarity(again, people[0]);
  for (size_t other = 1; other < people.size(); ++other) {
    EXPECT_GT(same, cosine_similarity(again, people[other]) + 0.2f) << "person " << other;
    EXPECT_LT(cosine_similarity(people[0], people[other]), 0.6f) << "person " << other;
  }
  EXPECT_GT(same, 0.8f);
}

}  // namespace
}  // namespace fai
