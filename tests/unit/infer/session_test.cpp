#include "infer/session.h"

#include <gtest/gtest.h>

#include "test_files.h"

namespace fai {
namespace {

// tiny_conv: 1x1 conv with weights {{1,2,3},{-1,0,1}}, bias {0.5,-0.5}; outputs (conv, relu).
constexpr int kSide = 4;
constexpr int kPlane = kSide * kSide;

Tensor tiny_input() {
  Tensor t{"input", {1, 3, kSide, kSide}, std::vector<float>(3 * kPlane)};
  for (int i = 0; i < 3 * kPlane; ++i) t.data[i] = 0.25f * static_cast<float>(i % 7) - 0.75f;
  return t;
}

std::vector<float> expected_conv(const Tensor& x) {
  std::vector<float> out(2 * kPlane);
  for (int p = 0; p < kPlane; ++p) {
    const float r = x.data[p], g = x.data[kPlane + p], b = x.data[2 * kPlane + p];
    out[p] = r + 2 * g + 3 * b + 0.5f;
    out[kPlane + p] = -r + b - 0.5f;
  }
  return out;
}

struct BackendCase {
  const char* backend;
  const char* file;
  decltype(&open_onnx_session) open;
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const BackendCase& c, std::ostream* os) {
  *os << c.backend;
}

class SessionTest : public ::testing::TestWithParam<BackendCase> {
 protected:
  void SetUp() override {
    if (std::string(GetParam().backend) == "torch" && !torch_available()) {
      GTEST_SKIP() << "this build has no libtorch (FAI_WITH_TORCH=OFF)";
    }
  }
  Expected<std::unique_ptr<InferenceSession>> open(const SessionOptions& options) const {
    return GetParam().open(test::model_path(GetParam().file), options);
  }
};

TEST_P(SessionTest, ComputesKnownOutputsInDeclaredOrder) {
  auto session = open({1, {1, 3, kSide, kSide}, {"conv", "relu"}});
  ASSERT_TRUE(session.ok()) << session.error().message;
  EXPECT_STREQ((*session)->backend(), GetParam().backend);
  const Tensor input = tiny_input();
  auto outputs = (*session)->run(input);
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  ASSERT_EQ(outputs->size(), 2u);
  const std::vector<float> conv = expected_conv(input);
  for (size_t i = 0; i < 2; ++i) {
    const Tensor& out = (*outputs)[i];
    EXPECT_EQ(out.name, i == 0 ? "conv" : "relu");
    EXPECT_EQ(out.shape, (std::vector<int64_t>{1, 2, kSide, kSide}));
    ASSERT_EQ(out.data.size(), conv.size());
    for (size_t j = 0; j < conv.size(); ++j) {
      EXPECT_NEAR(out.data[j], i == 0 ? conv[j] : std::max(conv[j], 0.0f), 1e-5f) << j;
    }
  }
}

TEST_P(SessionTest, BadInputsAreErrorsNotCrashes) {
  auto session = open({1, {1, 3, kSide, kSide}, {}});
  ASSERT_TRUE(session.ok()) << session.error().message;
  Tensor inconsistent = tiny_input();
  inconsistent.data.pop_back();
  const Tensor bad[] = {
      {"input", {1, 1, kSide, kSide}, std::vector<float>(kPlane)},          // wrong channels
      {"input", {1, 3, 2 * kSide, kSide}, std::vector<float>(6 * kPlane)},  // wrong height
      {"input", {3, kSide, kSide}, std::vector<float>(3 * kPlane)},         // rank 3
      inconsistent,
  };
  for (const Tensor& input : bad) {
    auto outputs = (*session)->run(input);
    ASSERT_FALSE(outputs.ok());
    EXPECT_EQ(outputs.error().code, ErrorCode::kInvalidArgument) << outputs.error().message;
  }
}

TEST_P(SessionTest, MissingAndCorruptFilesAreErrors) {
  const std::string corrupt =
      test::write_scratch(std::string("corrupt_") + GetParam().file, test::random_bytes(2048));
  struct Case {
    std::string path;
    ErrorCode code;
  };
  for (const Case& c : {Case{test::model_path("missing_model"), ErrorCode::kNotFound},
                        Case{corrupt, ErrorCode::kCorrupt}}) {
    auto session = GetParam().open(c.path, SessionOptions{});
    ASSERT_FALSE(session.ok()) << c.path;
    EXPECT_EQ(session.error().code, c.code) << session.error().message;
  }
}

TEST_P(SessionTest, ThreadsBelowOneAreInvalid) {
  auto session = open({0, {}, {}});
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, ErrorCode::kInvalidArgument) << session.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Backends, SessionTest,
    ::testing::Values(BackendCase{"opencv", "tiny_conv.onnx", &open_onnx_session},
                      BackendCase{"torch", "tiny_conv.pt", &open_torchscript_session}),
    [](const auto& test) { return std::string(test.param.backend); });

TEST(OpenCvSession, DefaultsToTheGraphsOutputsAndDeclaredInputShape) {
  auto session = open_onnx_session(test::model_path("tiny_conv.onnx"), SessionOptions{});
  ASSERT_TRUE(session.ok()) << session.error().message;
  auto outputs = (*session)->run(tiny_input());
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  ASSERT_EQ(outputs->size(), 2u);
  EXPECT_EQ((*outputs)[0].name, "conv");
  EXPECT_EQ((*outputs)[1].name, "relu");
  auto wrong = (*session)->run({"input", {1, 3, 8, 8}, std::vector<float>(3 * 64)});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
}

TEST(OpenCvSession, UnknownOutputNameIsCorrupt) {
  auto session = open_onnx_session(test::model_path("tiny_conv.onnx"), {1, {}, {"conv", "boxes"}});
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, ErrorCode::kCorrupt);
}

TEST(TorchSession, AgreesWithOpenCv) {
  if (!torch_available()) GTEST_SKIP() << "this build has no libtorch (FAI_WITH_TORCH=OFF)";
  auto cv_session = open_onnx_session(test::model_path("tiny_conv.onnx"), SessionOptions{});
  auto torch_session = open_torchscript_session(test::model_path("tiny_conv.pt"), SessionOptions{});
  ASSERT_TRUE(cv_session.ok() && torch_session.ok());
  const Tensor input = tiny_input();
  auto a = (*cv_session)->run(input);
  auto b = (*torch_session)->run(input);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), b->size());
  for (size_t i = 0; i < a->size(); ++i) {
    ASSERT_EQ((*a)[i].shape, (*b)[i].shape);
    for (size_t j = 0; j < (*a)[i].data.size(); ++j) {
      EXPECT_NEAR((*a)[i].data[j], (*b)[i].data[j], 1e-5f);
    }
  }
}

TEST(TorchSession, WithoutLibtorchIsUnsupported) {
  if (torch_available()) GTEST_SKIP() << "this build has libtorch";
  auto session = open_torchscript_session(test::model_path("tiny_conv.pt"), SessionOptions{});
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, ErrorCode::kUnsupported);
}

TEST(ResolveBackend, ExplicitThenMeasuredThenTorchWhenAvailable) {
  const Backend fast = torch_available() ? Backend::kTorch : Backend::kOpenCv;
  struct Case {
    Backend requested, measured;
    bool has_torchscript;
    Backend expected;
    Backend unmeasured = Backend::kTorch;
  };
  const Case cases[] = {
      {Backend::kOpenCv, Backend::kTorch, true, Backend::kOpenCv},
      {Backend::kTorch, Backend::kAuto, false, Backend::kTorch},
      {Backend::kAuto, Backend::kOpenCv, true, Backend::kOpenCv},
      {Backend::kAuto, Backend::kTorch, true, fast},
      {Backend::kAuto, Backend::kTorch, false, Backend::kOpenCv},
      {Backend::kAuto, Backend::kAuto, true, fast},
      {Backend::kAuto, Backend::kAuto, false, Backend::kOpenCv},
      // A caller whose models run faster on OpenCV unless measured otherwise (the OCR models).
      {Backend::kAuto, Backend::kAuto, true, Backend::kOpenCv, Backend::kOpenCv},
      {Backend::kAuto, Backend::kTorch, true, fast, Backend::kOpenCv},
  };
  for (const Case& c : cases) {
    ModelInfo model;
    model.onnx = ModelFile{"m.onnx", ""};
    if (c.has_torchscript) model.torchscript = ModelFile{"m.pt", ""};
    model.measured_backend = c.measured;
    EXPECT_EQ(resolve_backend(model, c.requested, c.unmeasured), c.expected)
        << static_cast<int>(c.requested) << " " << static_cast<int>(c.measured) << " "
        << c.has_torchscript;
  }
}

TEST(OpenSession, OpensAManifestModelOnEachBackend) {
  auto manifest = load_manifest(test::model_path("nanodet"));
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  const ModelInfo& model = manifest->models.at(0);
  for (Backend backend : {Backend::kAuto, Backend::kOpenCv, Backend::kTorch}) {
    if (backend == Backend::kTorch && !torch_available()) continue;
    auto session = open_session(model, backend, 1);
    ASSERT_TRUE(session.ok()) << session.error().message;
    auto outputs = (*session)->run({"input", {1, 3, 64, 64}, std::vector<float>(3 * 64 * 64)});
    ASSERT_TRUE(outputs.ok()) << outputs.error().message;
    ASSERT_EQ(outputs->size(), 2u);
    EXPECT_EQ((*outputs)[0].name, "cls");
    EXPECT_EQ((*outputs)[0].shape, (std::vector<int64_t>{1, 84, 80}));
    EXPECT_EQ((*outputs)[1].name, "reg");
    EXPECT_EQ((*outputs)[1].shape, (std::vector<int64_t>{1, 84, 44}));
  }
}

TEST(OpenSession, MissingFormatIsNotFound) {
  ModelInfo model;
  model.name = "onnx_only";
  model.onnx = ModelFile{test::model_path("tiny_conv.onnx"), ""};
  auto session = open_session(model, Backend::kTorch, 1);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, ErrorCode::kNotFound) << session.error().message;
}

}  // namespace
}  // namespace fai
