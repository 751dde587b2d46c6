// Recognition on synthetic plates rendered here with known text: clean ones must read exactly,
// degraded ones (perspective, blur, noise) to a minimum accuracy, and blank or noise patches
// must give no plate. Needs models/ (skips without it unless FAI_REQUIRE_MODELS=1).

#include "analytics/anpr/plate_reader.h"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/geometry.h"
#include "image/sharpness.h"
#include "subprocess.h"

namespace fai {
namespace {

const std::vector<std::string> kIndianPlates = {"KA01AB1234", "MH12DE1433", "DL3CAB9876",
                                                "TN22CZ4567", "AP09BX3210", "GJ05KL7788"};

// A white plate with a black border and the text in a Hershey font, 72 px high.
cv::Mat render_plate(const std::string& text) {
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  const double scale = 1.6;
  const int thickness = 4;
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, font, scale, thickness, &baseline);
  cv::Mat plate(size.height + 36, size.width + 40, CV_8UC3, cv::Scalar(235, 235, 235));
  cv::rectangle(plate, cv::Rect(0, 0, plate.cols, plate.rows), cv::Scalar(20, 20, 20), 3);
  cv::putText(plate, text, cv::Point(20, 18 + size.height), font, scale, cv::Scalar(15, 15, 15),
              thickness, cv::LINE_AA);
  return plate;
}

// A plain "vehicle rear" with the plate pasted low in the middle; returns the plate's box.
cv::Mat vehicle_with(const cv::Mat& plate, Box& plate_box) {
  cv::Mat car(360, 480, CV_8UC3, cv::Scalar(90, 60, 50));
  const int x = (car.cols - plate.cols) / 2, y = car.rows - plate.rows - 60;
  plate.copyTo(car(cv::Rect(x, y, plate.cols, plate.rows)));
  plate_box = {static_cast<float>(x), static_cast<float>(y), static_cast<float>(x + plate.cols),
               static_cast<float>(y + plate.rows)};
  return car;
}

// Perspective (a plate seen from the side and above), blur and sensor noise.
cv::Mat degrade(const cv::Mat& plate, int seed) {
  const float w = static_cast<float>(plate.cols), h = static_cast<float>(plate.rows);
  const cv::Point2f from[4] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
  const cv::Point2f to[4] = {{0, h * 0.08f}, {w * 0.95f, 0}, {w, h}, {w * 0.04f, h * 0.94f}};
  cv::Mat warped, out;
  cv::warpPerspective(plate, warped, cv::getPerspectiveTransform(from, to), plate.size(),
                      cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(90, 60, 50));
  cv::GaussianBlur(warped, out, cv::Size(5, 5), 1.2);
  cv::Mat noise(out.size(), CV_16SC3);
  cv::theRNG().state = static_cast<uint64_t>(seed);
  cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(12));
  cv::Mat noisy;
  out.convertTo(noisy, CV_16SC3);
  noisy += noise;
  noisy.convertTo(out, CV_8UC3);
  return out;
}

class PlateReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::models_available()) return;
    InferenceConfig inference;
    inference.models_dir = test::models_dir();
    PlateReaderParams params;
    params.formats = {"in"};
    auto opened = PlateReader::open(inference, params);
    ASSERT_TRUE(opened) << opened.error().message;
    reader_ = std::move(*opened);
  }
  static void TearDownTestSuite() { reader_.reset(); }
  void SetUp() override {
    if (reader_) return;
    if (test::models_required()) FAIL() << "models/manifest.json is missing";
    GTEST_SKIP() << "models/manifest.json is missing";
  }

  static std::string text_of(const Expected<std::optional<PlateRead>>& read) {
    EXPECT_TRUE(read);
    return read && *read ? (*read)->text : "";
  }

  static std::unique_ptr<PlateReader> reader_;
};

std::unique_ptr<PlateReader> PlateReaderTest::reader_;

TEST_F(PlateReaderTest, CleanPlatesReadExactlyInTheirBox) {
  for (const auto& text : kIndianPlates) {
    const cv::Mat plate = render_plate(text);
    const Box box{0, 0, static_cast<float>(plate.cols), static_cast<float>(plate.rows)};
    EXPECT_EQ(text_of(reader_->read_in_box(plate, box, InBoxMode::kAsIs)), text);
    EXPECT_EQ(text_of(reader_->read_in_box(plate, box, InBoxMode::kRefine)), text);
  }
}

TEST_F(PlateReaderTest, CleanPlatesReadExactlyFromTheVehicleBox) {
  for (const auto& text : kIndianPlates) {
    Box plate_box;
    const cv::Mat car = vehicle_with(render_plate(text), plate_box);
    auto read =
        reader_->read(car, {0, 0, static_cast<float>(car.cols), static_cast<float>(car.rows)});
    ASSERT_TRUE(read && *read) << text;
    EXPECT_EQ((*read)->text, text);
    EXPECT_GT(iou((*read)->plate_box, plate_box), 0.3f) << text;
    EXPECT_EQ((*read)->char_confidences.size(), text.size());
    EXPECT_GT((*read)->rec_ms, 0.0);
  }
}

TEST_F(PlateReaderTest, DegradedPlatesMostlyReadFromTheVehicleBox) {
  int exact = 0;
  for (size_t i = 0; i < kIndianPlates.size(); ++i) {
    Box plate_box;
    const cv::Mat car =
        vehicle_with(degrade(render_plate(kIndianPlates[i]), static_cast<int>(i)), plate_box);
    const auto read =
        reader_->read(car, {0, 0, static_cast<float>(car.cols), static_cast<float>(car.rows)});
    exact += text_of(read) == kIndianPlates[i];
  }
  EXPECT_GE(exact, 5) << "of " << kIndianPlates.size();
}

TEST_F(PlateReaderTest, BlankOrNoisePatchesGiveNoPlate) {
  const cv::Mat blank(80, 300, CV_8UC3, cv::Scalar(235, 235, 235));
  cv::Mat noise(80, 300, CV_8UC3);
  cv::theRNG().state = 42;
  cv::randu(noise, cv::Scalar::all(0), cv::Scalar::all(255));
  for (const cv::Mat& patch : {blank, noise}) {
    const Box box{0, 0, static_cast<float>(patch.cols), static_cast<float>(patch.rows)};
    EXPECT_EQ(text_of(reader_->read_in_box(patch, box, InBoxMode::kAsIs)), "");
    EXPECT_EQ(text_of(reader_->read_in_box(patch, box, InBoxMode::kRefine)), "");
    EXPECT_EQ(text_of(reader_->read(patch, box)), "");
  }
}

TEST_F(PlateReaderTest, BadBoxIsAnError) {
  const cv::Mat image(100, 100, CV_8UC3, cv::Scalar::all(0));
  EXPECT_FALSE(reader_->read_in_box(image, {200, 200, 300, 300}));
  EXPECT_FALSE(reader_->read(image, {50, 50, 50, 50}));
}

// The plate quality gate's sharpness (shared with faces) separates a crisp plate from a blurred
// one.
TEST(PlateSharpness, SharpIsAboveBlurred) {
  const cv::Mat plate = render_plate("KA01AB1234");
  cv::Mat blurred;
  cv::GaussianBlur(plate, blurred, cv::Size(9, 9), 3);
  EXPECT_GT(laplacian_variance(plate), 4 * laplacian_variance(blurred));
}

}  // namespace
}  // namespace fai
