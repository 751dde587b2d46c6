// The plate reader on plates rendered here with Debian's DejaVu fonts (fonts-dejavu-core) in the
// layouts of the three presets, clean and degraded (perspective, blur, noise): clean plates must
// read exactly, degraded ones mostly; bad input gives no plate. Needs models/ (skips without
// it unless FAI_REQUIRE_MODELS=1) and the fonts (skips without them).

#include <gtest/gtest.h>

#include <filesystem>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

#include "analytics/anpr/plate_reader.h"
#include "subprocess.h"

namespace fai {
namespace {

const char* kFontDir = "/usr/share/fonts/truetype/dejavu/";
const char* kFonts[] = {"DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf",
                        "DejaVuSansCondensed-Bold.ttf"};

struct Sample {
  std::string printed;  // as on the plate, with its separators
  std::string text;     // what the reader must return
};

const std::vector<Sample> kSamples = {
    {"KA 01 AB 1234", "KA01AB1234"}, {"MH 12 DE 1433", "MH12DE1433"},
    {"TN 22 CZ 4567", "TN22CZ4567"}, {"B-MW 4711", "BMW4711"},
    {"HH-AK 123", "HHAK123"},        {"7ABC123", "7ABC123"},
    {"8XYZ492", "8XYZ492"},          {"GJ 05 KL 7788", "GJ05KL7788"},
};

cv::Mat render(cv::freetype::FreeType2& font, const std::string& text) {
  const int height = 64;
  int baseline = 0;
  const cv::Size size = font.getTextSize(text, height, -1, &baseline);
  cv::Mat plate(height + 40, size.width + 48, CV_8UC3, cv::Scalar(240, 240, 240));
  cv::rectangle(plate, cv::Rect(0, 0, plate.cols, plate.rows), cv::Scalar(10, 10, 10), 4);
  font.putText(plate, text, cv::Point(24, 20 + height - baseline / 2), height,
               cv::Scalar(20, 20, 20), -1, cv::LINE_AA, true);
  return plate;
}

// A plate seen from the side and above, out of focus and noisy, on a dark vehicle.
cv::Mat degrade(const cv::Mat& plate, int seed) {
  const float w = static_cast<float>(plate.cols), h = static_cast<float>(plate.rows);
  const float skew = 0.04f + 0.02f * static_cast<float>(seed % 3);
  const cv::Point2f from[4] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
  const cv::Point2f to[4] = {{w * 0.1f, h * 0.3f + h * skew},
                             {w * 1.05f, h * 0.3f},
                             {w * 1.1f, h * 1.3f},
                             {w * 0.1f + w * skew, h * 1.25f}};
  cv::Mat warped, out;
  cv::warpPerspective(plate, warped, cv::getPerspectiveTransform(from, to),
                      cv::Size(static_cast<int>(w * 1.2f), static_cast<int>(h * 1.6f)),
                      cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(70, 50, 40));
  cv::GaussianBlur(warped, out, cv::Size(5, 5), 1.0 + 0.2 * (seed % 3));
  cv::Mat noise(out.size(), CV_16SC3), noisy;
  cv::theRNG().state = static_cast<uint64_t>(seed + 1);
  cv::randn(noise, cv::Scalar::all(0), cv::Scalar::all(10));
  out.convertTo(noisy, CV_16SC3);
  noisy += noise;
  noisy.convertTo(out, CV_8UC3);
  return out;
}

class PlateFontTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::models_available()) return;
    InferenceConfig inference;
    inference.models_dir = test::models_dir();
    PlateReaderParams params;  // every preset, as a default deployment has them
    auto opened = PlateReader::open(inference, params);
    ASSERT_TRUE(opened) << opened.error().message;
    reader_ = std::move(*opened);
  }
  static void TearDownTestSuite() { reader_.reset(); }
  void SetUp() override {
    if (!std::filesystem::exists(std::string(kFontDir) + kFonts[0])) {
      GTEST_SKIP() << "fonts-dejavu-core is not installed";
    }
    if (reader_) return;
    if (test::models_required()) FAIL() << "models/manifest.json is missing";
    GTEST_SKIP() << "models/manifest.json is missing";
  }

  static std::string read_whole(const cv::Mat& image) {
    auto read = reader_->read(
        image, {0, 0, static_cast<float>(image.cols), static_cast<float>(image.rows)});
    EXPECT_TRUE(read) << read.error().message;
    return read && *read ? (*read)->text : "";
  }

  static std::unique_ptr<PlateReader> reader_;
};

std::unique_ptr<PlateReader> PlateFontTest::reader_;

TEST_F(PlateFontTest, CleanAndDegradedDejaVuPlatesRead) {
  int clean_exact = 0, degraded_exact = 0, total = 0;
  for (const char* name : kFonts) {
    auto font = cv::freetype::createFreeType2();
    font->loadFontData(std::string(kFontDir) + name, 0);
    for (size_t i = 0; i < kSamples.size(); ++i) {
      const cv::Mat plate = render(*font, kSamples[i].printed);
      const std::string clean = read_whole(plate);
      const std::string degraded = read_whole(degrade(plate, static_cast<int>(i)));
      clean_exact += clean == kSamples[i].text;
      degraded_exact += degraded == kSamples[i].text;
      ++total;
      if (clean != kSamples[i].text || degraded != kSamples[i].text) {
        std::printf("%s %-14s clean %-11s degraded %s\n", name, kSamples[i].text.c_str(),
                    clean.c_str(), degraded.c_str());
      }
    }
  }
  std::printf("DejaVu plates: clean %d/%d, degraded %d/%d exact\n", clean_exact, total,
              degraded_exact, total);
  EXPECT_GE(clean_exact, total * 9 / 10);
  EXPECT_GE(degraded_exact, total * 3 / 4);
}

// Text that is no plate (a word, a lone digit) or no text at all gives no plate, not garbage.
TEST_F(PlateFontTest, NonPlatesGiveNoPlate) {
  auto font = cv::freetype::createFreeType2();
  font->loadFontData(std::string(kFontDir) + kFonts[0], 0);
  cv::Mat lines(200, 400, CV_8UC3, cv::Scalar(240, 240, 240));
  cv::line(lines, {20, 100}, {380, 100}, cv::Scalar(0, 0, 0), 6);
  cv::Mat gradient(120, 360, CV_8UC3);
  for (int x = 0; x < gradient.cols; ++x) {
    gradient.col(x).setTo(cv::Scalar::all(x * 255 / gradient.cols));
  }
  for (const cv::Mat& image : {render(*font, "7"), lines, gradient}) {
    EXPECT_EQ(read_whole(image), "");
  }
}

}  // namespace
}  // namespace fai
