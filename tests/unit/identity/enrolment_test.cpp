// Enrolment on face-api's demo photos (group photos of 3-5 people, 1920 px wide): a crop around
// one person enrols; the group photos are refused as several faces, a wall as no face, a tiny
// face as low quality.

#include <filesystem>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "analytics/identity/enrolment.h"
#include "subprocess.h"

namespace fai {
namespace {

// Face centres in sample6.jpg (see face_pipeline_test.cpp); a 400 px square around one holds
// nobody else's face.
const cv::Point2f kSample6Faces[] = {{776, 501}, {1259, 459}, {1583, 429}, {348, 642}};

std::string demo_photo(int n) {
  return std::string(FAI_FACE_API_DEMO_DIR) + "/sample" + std::to_string(n) + ".jpg";
}

cv::Mat crop_around(const cv::Mat& image, cv::Point2f centre, int side) {
  const cv::Rect r(int(centre.x) - side / 2, int(centre.y) - side / 2, side, side);
  return image(r & cv::Rect(0, 0, image.cols, image.rows)).clone();
}

class Enrolment : public ::testing::Test {
 protected:
  void SetUp() override {
    auto manifest = load_manifest(test::models_dir());
    const bool have = manifest.ok() && manifest->find("blazeface") && manifest->find("faceres") &&
                      std::filesystem::exists(demo_photo(6));
    if (!have) {
      if (test::models_required()) FAIL() << "models or the face-api package are missing";
      GTEST_SKIP() << "needs models/ (blazeface, faceres) and the fetched face-api package";
    }
    auto detector = FaceDetector::open(*manifest->find("blazeface"), Backend::kOpenCv, 2, {});
    auto embedder = FaceEmbedder::open(*manifest->find("faceres"), Backend::kOpenCv, 2);
    ASSERT_TRUE(detector.ok()) << detector.error().message;
    ASSERT_TRUE(embedder.ok()) << embedder.error().message;
    enroller_ =
        std::make_unique<FaceEnroller>(std::move(*detector), std::move(*embedder), "faceres");
    sample6_ = cv::imread(demo_photo(6));
    ASSERT_FALSE(sample6_.empty());
  }

  EnrolledFace enrol(const cv::Mat& photo) {
    auto result = enroller_->enrol(photo);
    EXPECT_TRUE(result.ok()) << result.error().message;
    return result.ok() ? *result : EnrolledFace{};
  }

  std::unique_ptr<FaceEnroller> enroller_;
  cv::Mat sample6_;
};

TEST_F(Enrolment, OnePersonCropGivesOneTemplate) {
  for (const cv::Point2f& centre : kSample6Faces) {
    const EnrolledFace face = enrol(crop_around(sample6_, centre, 400));
    ASSERT_TRUE(face.ok()) << centre << ": " << to_string(face.refusal) << " " << face.reason;
    EXPECT_GE(face.embedding.size(), 128u);
    EXPECT_GT(face.quality, 0.3f);
    EXPECT_LE(face.quality, 1.0f);
  }
}

TEST_F(Enrolment, SamePersonFromTwoPhotosMatches) {
  const EnrolledFace a = enrol(crop_around(sample6_, kSample6Faces[0], 400));
  cv::Mat other;  // the same woman in a different crop, smaller and darker
  cv::resize(crop_around(sample6_, kSample6Faces[0], 560), other, cv::Size(), 0.7, 0.7,
             cv::INTER_AREA);
  other.convertTo(other, -1, 0.8, -10);
  const EnrolledFace b = enrol(other);
  const EnrolledFace stranger = enrol(crop_around(sample6_, kSample6Faces[1], 400));
  ASSERT_TRUE(a.ok() && b.ok() && stranger.ok());
  EXPECT_GT(cosine_similarity(a.embedding, b.embedding), 0.8f);
  EXPECT_LT(cosine_similarity(a.embedding, stranger.embedding), 0.6f);
}

TEST_F(Enrolment, GroupPhotosAreRefusedAsSeveralFaces) {
  for (int n = 1; n <= 6; ++n) {
    const cv::Mat photo = cv::imread(demo_photo(n));
    ASSERT_FALSE(photo.empty()) << n;
    const EnrolledFace face = enrol(photo);
    EXPECT_EQ(face.refusal, EnrolRefusal::kSeveralFaces)
        << "sample" << n << ": " << to_string(face.refusal) << " " << face.reason << " ("
        << face.faces_found << " faces)";
  }
}

TEST_F(Enrolment, PhotoWithoutAFaceIsRefused) {
  const cv::Mat wall = sample6_(cv::Rect(0, 0, 300, 300)).clone();  // window blinds
  EXPECT_EQ(enrol(wall).refusal, EnrolRefusal::kNoFace);
  EXPECT_EQ(enrol(cv::Mat(480, 640, CV_8UC3, cv::Scalar(90, 120, 150))).refusal,
            EnrolRefusal::kNoFace);
}

TEST_F(Enrolment, TinyFaceIsRefusedAsLowQuality) {
  cv::Mat tiny;
  cv::resize(crop_around(sample6_, kSample6Faces[0], 400), tiny, cv::Size(), 0.2, 0.2,
             cv::INTER_AREA);
  const EnrolledFace face = enrol(tiny);
  EXPECT_EQ(face.refusal, EnrolRefusal::kLowQuality) << to_string(face.refusal) << face.reason;
}

}  // namespace
}  // namespace fai
