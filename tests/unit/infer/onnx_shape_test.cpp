#include "infer/onnx_shape.h"

#include <gtest/gtest.h>

#include "test_files.h"

namespace fai {
namespace {

TEST(OnnxInputShape, ReadsDeclaredShapes) {
  struct Case {
    const char* file;
    std::vector<int64_t> shape;
  };
  for (const Case& c :
       {Case{"tiny_conv.onnx", {1, 3, 4, 4}}, Case{"tiny_yolo.onnx", {1, 3, 64, 64}},
        Case{"nanodet/tiny_nanodet.onnx", {1, 3, 64, 64}}}) {
    auto shape = onnx_input_shape(test::model_path(c.file));
    ASSERT_TRUE(shape.ok()) << c.file << ": " << shape.error().message;
    EXPECT_EQ(*shape, c.shape) << c.file;
  }
}

TEST(OnnxInputShape, FailuresAreErrors) {
  struct Case {
    std::string path;
    ErrorCode code;
  };
  const Case cases[] = {
      {test::model_path("no_such_model.onnx"), ErrorCode::kNotFound},
      {test::write_scratch("random.onnx", test::random_bytes(4096)), ErrorCode::kCorrupt},
      {test::write_scratch("empty.onnx", ""), ErrorCode::kCorrupt},
      {test::model_path("tiny_conv.pt"), ErrorCode::kCorrupt},  // a zip, not protobuf
  };
  for (const Case& c : cases) {
    auto shape = onnx_input_shape(c.path);
    ASSERT_FALSE(shape.ok()) << c.path;
    EXPECT_EQ(shape.error().code, c.code) << c.path << ": " << shape.error().message;
  }
}

}  // namespace
}  // namespace fai
