#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "subprocess.h"

namespace fai::test {
namespace {

namespace fs = std::filesystem;

const char* kDogJpg = "/usr/share/darknet/data/dog.jpg";  // Debian's darknet package

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("fai_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  void require_models() {
    if (models_available()) return;
    if (models_required()) FAIL() << "models/ missing: run `make models`";
    GTEST_SKIP() << "models/ missing: run `make models`";
  }
  RunResult factoryai(std::vector<std::string> args) {
    args.insert(args.begin(), factoryai_path());
    return run_command(args);
  }

  fs::path dir_;
};

// A failure is one line on stderr naming the problem, a non-zero exit, and never a crash.
void expect_clean_failure(const RunResult& r, const std::string& message_part) {
  EXPECT_FALSE(r.timed_out);
  EXPECT_GT(r.exit_code, 0) << r.err;
  EXPECT_LT(r.exit_code, 128) << "crashed: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(message_part), std::string::npos) << r.err;
}

TEST_F(CliTest, HelpForEverySubcommand) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                        {"detect", "--help"},
                                        {"process", "--help"},
                                        {"bench", "--help"},
                                        {"models", "--help"},
                                        {"eval", "detect", "--help"}}) {
    const RunResult r = factoryai(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
  }
}

TEST_F(CliTest, MissingManifestIsOneClearError) {
  expect_clean_failure(factoryai({"--models-dir", dir_.string(), "detect", kDogJpg}),
                       "manifest.json");
  expect_clean_failure(factoryai({"--models-dir", dir_.string(), "models"}), "manifest.json");
}

TEST_F(CliTest, CorruptModelIsOneClearError) {
  file("garbage.onnx", std::string(4096, '\x07'));
  file("manifest.json", R"({"models": [{"name": "nanodet", "task": "detect",
      "files": {"onnx": {"path": "garbage.onnx", "sha256": "00"}},
      "input": {"name": "input", "shape": [1, 3, 416, 416], "layout": "NCHW", "color": "BGR",
                "mean": [0, 0, 0], "std": [1, 1, 1]},
      "outputs": [{"name": "cls", "shape": [1, 3549, 80]}, {"name": "reg", "shape": [1, 3549, 44]}]}]})");
  expect_clean_failure(
      factoryai({"--models-dir", dir_.string(), "--backend", "opencv", "detect", kDogJpg}),
      "garbage.onnx");
  expect_clean_failure(factoryai({"--models-dir", dir_.string(), "models"}), "verification");
}

TEST_F(CliTest, BadImagesAreOneClearErrorEach) {
  require_models();
  const struct {
    std::string path;
    std::string message;
  } cases[] = {
      {(dir_ / "missing.jpg").string(), "cannot open"},
      {file("empty.jpg", ""), "empty"},
      {file("text.jpg", "this is not a picture"), "not a decodable image"},
      {file("cut.jpg", std::string("\xFF\xD8\xFF\xE0", 4) + std::string(100, 'x')), "truncated"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    const RunResult r = factoryai({"--models-dir", models_dir(), "detect", c.path});
    expect_clean_failure(r, c.message);
  }
}

TEST_F(CliTest, BadSourcesAreOneClearError) {
  require_models();
  expect_clean_failure(factoryai({"--models-dir", models_dir(), "process", "gopher://x/y"}),
                       "unsupported stream URL");
  expect_clean_failure(factoryai({"--models-dir", models_dir(), "process", "--no-progress",
                                  "--max-reconnects", "0", "rtsp://127.0.0.1:9/none"}),
                       "unavailable");
  expect_clean_failure(
      factoryai({"--models-dir", models_dir(), "process", (dir_ / "nothing-here").string()}),
      "no such file");
}

TEST_F(CliTest, DetectsTheDarknetDogScene) {
  require_models();
  const RunResult r = factoryai({"--models-dir", models_dir(), "detect", "--all-classes", kDogJpg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto results = nlohmann::json::parse(r.out);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0]["width"], 768);
  std::set<std::string> classes;
  for (const auto& d : results[0]["detections"]) {
    const std::string name = d["class"];
    classes.insert(name);
    const auto& box = d["box"];
    const double cx = (box[0].get<double>() + box[2].get<double>()) / 2;
    const double cy = (box[1].get<double>() + box[3].get<double>()) / 2;
    if (name == "dog") {
      EXPECT_TRUE(cx < 384 && cy > 288) << "dog lower-left: " << d;
    }
    if (name == "truck") {
      EXPECT_TRUE(cx > 384 && cy < 288) << "truck upper-right: " << d;
    }
  }
  EXPECT_TRUE(classes.count("dog")) << r.out;
  EXPECT_TRUE(classes.count("bicycle")) << r.out;
  EXPECT_TRUE(classes.count("truck") || classes.count("car")) << r.out;
}

TEST_F(CliTest, ProcessPrintsOneJsonLinePerFrameOfAFolder) {
  require_models();
  fs::copy_file(kDogJpg, dir_ / "a.jpg");
  fs::copy_file(kDogJpg, dir_ / "b.jpg");
  const RunResult r =
      factoryai({"--models-dir", models_dir(), "process", "--no-progress", dir_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  int frames = 0;
  for (std::string line; std::getline(lines, line); ++frames) {
    const auto frame = nlohmann::json::parse(line);
    EXPECT_EQ(frame["frame"], frames);
    EXPECT_GE(frame["vehicle_count"].get<int>(), 1);  // the truck (or car) by the dog
    EXPECT_GT(frame["ms"]["forward"].get<double>(), 0);
  }
  EXPECT_EQ(frames, 2);
}

TEST_F(CliTest, ModelsVerifyTheirHashes) {
  require_models();
  const RunResult r = factoryai({"--models-dir", models_dir(), "models"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nanodet"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace fai::test
