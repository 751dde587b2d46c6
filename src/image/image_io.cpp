#include "image/image_io.h"

#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace fai {
namespace {

struct Size2 {
  int width = 0, height = 0;
};

uint32_t be16(const uint8_t* p) {
  return (uint32_t{p[0]} << 8) | p[1];
}
uint32_t be32(const uint8_t* p) {
  return (be16(p) << 16) | be16(p + 2);
}

std::optional<Size2> png_size(std::span<const uint8_t> b) {
  static const uint8_t kSig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (b.size() < 24 || !std::equal(kSig, kSig + 8, b.begin())) return std::nullopt;
  return Size2{static_cast<int>(be32(&b[16])), static_cast<int>(be32(&b[20]))};
}

// Walks JPEG marker segments up to the first start-of-frame, which carries the size.
std::optional<Size2> jpeg_size(std::span<const uint8_t> b) {
  if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8) return std::nullopt;
  size_t pos = 2;
  while (pos + 4 <= b.size()) {
    if (b[pos] != 0xFF) return std::nullopt;
    const uint8_t marker = b[pos + 1];
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    const size_t length = be16(&b[pos + 2]);
    const bool is_sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (is_sof && pos + 9 <= b.size()) {
      return Size2{static_cast<int>(be16(&b[pos + 7])), static_cast<int>(be16(&b[pos + 5]))};
    }
    pos += 2 + length;
  }
  return std::nullopt;
}

Status check_limits(std::span<const uint8_t> bytes, const ImageLimits& limits) {
  std::optional<Size2> size = png_size(bytes);
  if (!size) size = jpeg_size(bytes);
  if (!size) return {};  // other formats are checked after decoding
  if (size->width <= 0 || size->height <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "image header declares a 0-pixel dimension");
  }
  if (size->width > limits.max_width || size->height > limits.max_height) {
    return make_error(ErrorCode::kTooLarge, "image is " + std::to_string(size->width) + "x" +
                                                std::to_string(size->height) +
                                                ", over the limit of " +
                                                std::to_string(limits.max_width) + "x" +
                                                std::to_string(limits.max_height));
  }
  return {};
}

// libjpeg fills a truncated scan with grey and returns success; the end-of-image marker tells.
bool jpeg_truncated(std::span<const uint8_t> b) {
  if (b.size() < 2 || b[0] != 0xFF || b[1] != 0xD8) return false;
  for (size_t i = b.size(); i >= 2 && i + 64 >= b.size(); --i) {
    if (b[i - 2] == 0xFF && b[i - 1] == 0xD9) return false;
  }
  return true;
}

}  // namespace

Expected<cv::Mat> decode_image(std::span<const uint8_t> bytes, const ImageLimits& limits) {
  if (bytes.empty()) return make_error(ErrorCode::kInvalidArgument, "image is empty (0 bytes)");
  if (auto st = check_limits(bytes, limits); !st) return st.error();
  if (jpeg_truncated(bytes)) {
    return make_error(ErrorCode::kInvalidArgument, "JPEG is truncated (no end-of-image marker)");
  }
  cv::Mat decoded;
  try {
    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1,
                      const_cast<uint8_t*>(bytes.data()));
    decoded = cv::imdecode(raw, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("image decoder failed: ") + e.what());
  }
  if (decoded.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "bytes are not a decodable image");
  }
  if (decoded.cols > limits.max_width || decoded.rows > limits.max_height) {
    return make_error(ErrorCode::kTooLarge, "image dimensions are over the limit");
  }
  return decoded;
}

Expected<cv::Mat> read_image(const std::string& path, const ImageLimits& limits) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kNotFound, "cannot open image file: " + path);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  auto image = decode_image(bytes, limits);
  if (!image) return make_error(image.error().code, path + ": " + image.error().message);
  return image;
}

}  // namespace fai
