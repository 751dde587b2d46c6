#include <gtest/gtest.h>

#include "core/base64.h"

namespace fai {
namespace {

std::string decode_text(std::string_view b64) {
  auto bytes = base64_decode(b64);
  EXPECT_TRUE(bytes.ok()) << b64;
  return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : "";
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(reinterpret_cast<const uint8_t*>(plain.data()), plain.size()), encoded);
    EXPECT_EQ(decode_text(encoded), plain);
  }
}

TEST(Base64, TolerantOfWhatClientsSend) {
  EXPECT_EQ(decode_text("Zm9v\nYmFy\r\n"), "foobar");            // MIME line breaks
  EXPECT_EQ(decode_text("Zm9vYg"), "foob");                      // no padding
  EXPECT_EQ(decode_text("data:image/jpeg;base64,Zm9v"), "foo");  // browser data URL
  EXPECT_EQ(decode_text("-_8="), std::string("\xfb\xff", 2));    // URL-safe alphabet
}

TEST(Base64, RejectsGarbage) {
  for (const char* bad : {"Zm9v!", "Z", "Zm9vY===", "Zm=9v", "data:text/plain,hello", "€€€€"}) {
    auto r = base64_decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("invalid base64"), std::string::npos);
  }
}

}  // namespace
}  // namespace fai
