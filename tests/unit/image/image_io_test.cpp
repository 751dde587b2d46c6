#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "image/image_io.h"

namespace fai {
namespace {

std::vector<uint8_t> encode(const std::string& ext, int w, int h) {
  cv::Mat img(h, w, CV_8UC3, cv::Scalar(10, 120, 240));
  std::vector<uint8_t> bytes;
  EXPECT_TRUE(cv::imencode(ext, img, bytes));
  return bytes;
}

// A PNG signature + IHDR chunk declaring the given size, with no pixel data.
std::vector<uint8_t> png_header(uint32_t w, uint32_t h) {
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A,
                            0,    0,   0,   13,  'I',  'H',  'D',  'R'};
  for (uint32_t v : {w, h}) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<uint8_t>(v >> shift));
  }
  b.insert(b.end(), {8, 2, 0, 0, 0, 0, 0, 0, 0});
  return b;
}

TEST(DecodeImage, JpegAndPngDecodeToBgr) {
  for (const char* ext : {".jpg", ".png", ".bmp"}) {
    auto img = decode_image(encode(ext, 64, 48));
    ASSERT_TRUE(img.ok()) << ext << ": " << img.error().message;
    EXPECT_EQ(img->cols, 64);
    EXPECT_EQ(img->rows, 48);
    EXPECT_EQ(img->type(), CV_8UC3);
  }
}

struct BadImageCase {
  std::string name;
  std::vector<uint8_t> bytes;
  std::string message_part;
  ErrorCode code = ErrorCode::kInvalidArgument;
};

TEST(DecodeImage, BadInputsAreErrorsNotCrashes) {
  auto jpeg = encode(".jpg", 320, 240);
  std::vector<uint8_t> truncated(jpeg.begin(), jpeg.begin() + jpeg.size() / 2);
  const BadImageCase cases[] = {
      {"empty", {}, "empty"},
      {"text", {'h', 'e', 'l', 'l', 'o'}, "not a decodable image"},
      {"truncated jpeg", truncated, "truncated"},
      {"giant png header", png_header(100000, 100000), "over the limit", ErrorCode::kTooLarge},
      {"zero-size png header", png_header(0, 10), "0-pixel"},
      {"header only png", png_header(10, 10), "not a decodable image"},
  };
  for (const auto& c : cases) {
    auto img = decode_image(c.bytes);
    ASSERT_FALSE(img.ok()) << c.name;
    EXPECT_EQ(img.error().code, c.code) << c.name;
    EXPECT_NE(img.error().message.find(c.message_part), std::string::npos)
        << c.name << ": " << img.error().message;
  }
}

TEST(DecodeImage, LimitsAreConfigurable) {
  ImageLimits small{100, 100};
  auto img = decode_image(encode(".jpg", 200, 50), small);
  ASSERT_FALSE(img.ok());
  EXPECT_NE(img.error().message.find("200x50"), std::string::npos);
}

TEST(ReadImage, MissingFileIsNotFound) {
  auto img = read_image("/nonexistent/definitely/not/here.jpg");
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace fai
