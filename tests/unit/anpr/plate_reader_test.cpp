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

// A tight box puts the first and last characters on the crop's edge; the plate-scale detector
// sees them only with some context around the box (refine_contexts).
TEST_F(PlateReaderTest, PlatesReadFromABoxTightAroundTheirCharacters) {
  int exact = 0;
  for (const auto& text : kIndianPlates) {
    Box plate_box;
    const cv::Mat car = vehicle_with(render_plate(text), plate_box);
    // render_plate() leaves 20 px left and right and 18 px above the characters.
    const Box tight{plate_box.x1 + 20, plate_box.y1 + 16, plate_box.x2 - 20, plate_box.y2 - 14};
    // As far away as the openalpr photos' smallest plates: characters about 10 px high.
    const float scale = 0.2f;
    cv::Mat far;
    cv::resize(car, far, cv::Size(), scale, scale, cv::INTER_AREA);
    const Box far_box{tight.x1 * scale, tight.y1 * scale, tight.x2 * scale, tight.y2 * scale};
    exact += text_of(reader_->read_in_box(far, far_box, InBoxMode::kRefine)) == text;
  }
  EXPECT_EQ(exact, static_cast<int>(kIndianPlates.size()));
}

// CCTV frames carry the camera's date and time in large digits; they are not a plate.
TEST_F(PlateReaderTest, ACameraTimestampOverlayIsNotReadAsThePlate) {
  for (const auto& text : kIndianPlates) {
    Box plate_box;
    cv::Mat car = vehicle_with(render_plate(text), plate_box);
    cv::putText(car, "2014-05-12 14:24:45", cv::Point(10, 40), cv::FONT_HERSHEY_SIMPLEX, 1.1,
                cv::Scalar(255, 255, 255), 3, cv::LINE_AA);
    auto read =
        reader_->read(car, {0, 0, static_cast<float>(car.cols), static_cast<float>(car.rows)});
    EXPECT_EQ(text_of(read), text);
  }
  for (const char* overlay : {"2014-05-12", "14:24:45", "2014/05/12"}) {
    cv::Mat frame(120, 480, CV_8UC3, cv::Scalar(90, 60, 50));
    cv::putText(frame, overlay, cv::Point(10, 70), cv::FONT_HERSHEY_SIMPLEX, 1.4,
                cv::Scalar(255, 255, 255), 3, cv::LINE_AA);
    EXPECT_EQ(text_of(reader_->read(frame, {0, 0, 480, 120})), "") << overlay;
  }
}

PlateRead read_of(const std::string& text, float confidence) {
  PlateRead read;
  read.text = text;
  read.confidence = confidence;
  return read;
}

TEST(ConsensusRead, TheTextWithTheMostSummedConfidenceWins) {
  EXPECT_FALSE(consensus_read({}));
  // Two agreeing reads outweigh one more confident read.
  auto best = consensus_read(
      {read_of("KA01AB1234", 0.95f), read_of("KA01AB1Z34", 0.99f), read_of("KA01AB1234", 0.9f)});
  ASSERT_TRUE(best);
  EXPECT_EQ(best->text, "KA01AB1234");
  EXPECT_FLOAT_EQ(best->confidence, 0.95f);  // the winning text's most confident read
  // Equal support: the earlier view (the better context) wins.
  best = consensus_read({read_of("AB12", 0.8f), read_of("AB13", 0.8f)});
  ASSERT_TRUE(best);
  EXPECT_EQ(best->text, "AB12");
}

TEST(MostPlateLike, ATallerLineBeatsAsConfidentAShorterOne) {
  EXPECT_FALSE(most_plate_like({}));
  PlateRead phone = read_of("6470604", 0.99f), plate = read_of("AYE132", 0.95f);
  phone.format = plate.format = "us";
  phone.plate_box = {0, 0, 200, 20};  // x1, y1, x2, y2
  plate.plate_box = {0, 100, 120, 140};
  auto best = most_plate_like({phone, plate});
  ASSERT_TRUE(best);
  EXPECT_EQ(best->text, "AYE132");
  // Height does not outweigh a read that fits no preset and has no digit.
  PlateRead word = read_of("PENSKE", 0.99f);
  word.plate_box = {0, 0, 300, 60};
  best = most_plate_like({word, plate});
  ASSERT_TRUE(best);
  EXPECT_EQ(best->text, "AYE132");
}

TEST(ViewsSettled, TwoAgreeingViewsSettle) {
  EXPECT_FALSE(views_settled({}, 2));
  EXPECT_FALSE(views_settled({read_of("AB12", 1), read_of("AB13", 1)}, 2));
  EXPECT_TRUE(views_settled({read_of("AB12", 1), read_of("AB13", 1), read_of("AB12", 1)}, 2));
  EXPECT_TRUE(views_settled({read_of("AB12", 1)}, 1));
}

TEST(GrownBox, GrowsAroundTheCentreAndClipsToTheImage) {
  const cv::Rect image(0, 0, 640, 480);
  EXPECT_EQ(grown_box({100, 100, 100, 50}, {1.4f, 1.8f}, image), cv::Rect(80, 80, 140, 90));
  EXPECT_EQ(grown_box({100, 100, 100, 50}, {1.0f, 1.0f}, image), cv::Rect(100, 100, 100, 50));
  EXPECT_EQ(grown_box({0, 450, 100, 30}, {2.0f, 3.0f}, image), cv::Rect(0, 420, 150, 60));
}

TEST(PlateMerit, FormatAndDigitsOutweighConfidence) {
  PlateRead word = read_of("PENSKE", 0.99f), plate = read_of("1049338", 0.8f);
  plate.format = word.format = "us";
  EXPECT_GT(plate_merit(plate), plate_merit(word));
  PlateRead fragment = read_of("AB12", 0.99f);
  PlateRead formatted = read_of("KA01AB1234", 0.7f);
  formatted.format = "in";
  EXPECT_GT(plate_merit(formatted), plate_merit(fragment));
}

// Debian's Tesseract as the second engine: most clean plates in their box read exactly through
// it alone (it inserts a stray O into KA01AB1234, for one), and an unknown engine is refused.
TEST_F(PlateReaderTest, TesseractReadsCleanPlatesAndUnknownEnginesAreRefused) {
  InferenceConfig inference;
  inference.models_dir = test::models_dir();
  PlateReaderParams params;
  params.formats = {"in"};
  params.engines = {"tesseract"};
  auto reader = PlateReader::open(inference, params);
  ASSERT_TRUE(reader) << reader.error().message;
  int exact = 0;
  for (const auto& text : kIndianPlates) {
    const cv::Mat plate = render_plate(text);
    const Box box{0, 0, static_cast<float>(plate.cols), static_cast<float>(plate.rows)};
    auto read = (*reader)->read_in_box(plate, box, InBoxMode::kAsIs);
    ASSERT_TRUE(read) << read.error().message;
    exact += *read && (*read)->text == text;
  }
  EXPECT_GE(exact, 4) << "of " << kIndianPlates.size();
  params.engines = {"easyocr"};
  auto refused = PlateReader::open(inference, params);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace fai
