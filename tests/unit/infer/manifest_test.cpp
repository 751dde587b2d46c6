#include "infer/manifest.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "test_files.h"

namespace fai {
namespace {

namespace fs = std::filesystem;

// A fresh models dir under the test temp dir holding `manifest` and a 3-byte model file "abc".
std::string models_dir_with(const std::string& name, const std::string& manifest) {
  const fs::path dir = fs::path(::testing::TempDir()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "manifest.json") << manifest;
  std::ofstream(dir / "model.onnx") << "abc";
  return dir.string();
}

constexpr const char* kAbcSha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

std::string one_model_manifest(const std::string& sha256, const std::string& path = "model.onnx") {
  return R"({"models": [{"name": "m", "task": "detect",
    "files": {"onnx": {"path": ")" +
         path + R"(", "sha256": ")" + sha256 + R"("}},
    "input": {"name": "input", "shape": [1,3,32,48], "layout": "NCHW", "color": "RGB",
              "mean": [0,0,0], "std": [255,255,255]},
    "outputs": [{"name": "out", "shape": [1,10]}], "labels": ["a","b"]}]})";
}

TEST(LoadManifest, ParsesTheGeneratedManifest) {
  auto manifest = load_manifest(test::model_path("nanodet"));
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  ASSERT_EQ(manifest->models.size(), 1u);
  const ModelInfo* m = manifest->find("nanodet");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(manifest->find("yolo"), nullptr);
  EXPECT_EQ(m->task, "detect");
  ASSERT_TRUE(m->onnx && m->torchscript);
  EXPECT_TRUE(fs::exists(m->onnx->path)) << m->onnx->path;
  EXPECT_TRUE(fs::exists(m->torchscript->path)) << m->torchscript->path;
  EXPECT_EQ(m->input.shape, (std::vector<int64_t>{1, 3, 64, 64}));
  EXPECT_EQ(m->input_width(), 64);
  EXPECT_FALSE(m->normalization.rgb);
  ASSERT_EQ(m->outputs.size(), 2u);
  EXPECT_EQ(m->outputs[1].name, "reg");
  EXPECT_EQ(m->labels.size(), 80u);
  EXPECT_EQ(m->measured_backend, Backend::kAuto);
  EXPECT_TRUE(verify(*m).ok()) << verify(*m).error().message;
}

TEST(LoadManifest, ReadsGeometryAndNormalisation) {
  auto manifest = load_manifest(models_dir_with("geometry", one_model_manifest(kAbcSha256)));
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  const ModelInfo& m = manifest->models.at(0);
  EXPECT_EQ(m.input_width(), 48);
  EXPECT_EQ(m.input_height(), 32);
  EXPECT_TRUE(m.normalization.rgb);
  EXPECT_FLOAT_EQ(m.normalization.std[2], 255);
  EXPECT_FALSE(m.torchscript.has_value());
  EXPECT_EQ(m.labels, (std::vector<std::string>{"a", "b"}));
}

TEST(LoadManifest, FailuresAreErrors) {
  struct Case {
    const char* name;
    std::string manifest;
    ErrorCode code;
  };
  const Case cases[] = {
      {"not_json", "{ models: ", ErrorCode::kCorrupt},
      {"no_models_key", R"({"nets": []})", ErrorCode::kCorrupt},
      {"missing_input", R"({"models": [{"name": "m", "task": "detect", "files": {}}]})",
       ErrorCode::kCorrupt},
  };
  for (const Case& c : cases) {
    auto manifest = load_manifest(models_dir_with(c.name, c.manifest));
    ASSERT_FALSE(manifest.ok()) << c.name;
    EXPECT_EQ(manifest.error().code, c.code) << c.name << ": " << manifest.error().message;
  }
  auto missing = load_manifest(::testing::TempDir() + "no_such_models_dir");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(Verify, ChecksExistenceAndHash) {
  struct Case {
    const char* name;
    std::string manifest;
    bool ok;
    ErrorCode code;
  };
  const Case cases[] = {
      {"hash_ok", one_model_manifest(kAbcSha256), true, ErrorCode::kInternal},
      {"hash_bad", one_model_manifest(std::string(64, '0')), false, ErrorCode::kCorrupt},
      {"file_missing", one_model_manifest(kAbcSha256, "gone.onnx"), false, ErrorCode::kNotFound},
  };
  for (const Case& c : cases) {
    auto manifest = load_manifest(models_dir_with(c.name, c.manifest));
    ASSERT_TRUE(manifest.ok()) << manifest.error().message;
    const Status st = verify(manifest->models.at(0));
    EXPECT_EQ(st.ok(), c.ok) << c.name;
    if (!st.ok()) {
      EXPECT_EQ(st.error().code, c.code) << c.name << ": " << st.error().message;
    }
  }
}

TEST(Sha256File, MatchesKnownDigest) {
  auto digest = sha256_file(test::write_scratch("abc.txt", "abc"));
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, kAbcSha256);
  EXPECT_EQ(sha256_file(::testing::TempDir() + "missing.txt").error().code, ErrorCode::kNotFound);
}

TEST(BackendChoice, RoundTripsThroughTheModelsDir) {
  const std::string dir = models_dir_with("choice", one_model_manifest(kAbcSha256));
  ASSERT_TRUE(
      write_backend_choice(dir, {{"m", Backend::kTorch}, {"other", Backend::kOpenCv}}).ok());
  auto manifest = load_manifest(dir);
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  EXPECT_EQ(manifest->models.at(0).measured_backend, Backend::kTorch);

  std::ofstream(backend_choice_path(dir)) << R"({"m": "tensorrt"})";
  auto bad = load_manifest(dir);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace fai
