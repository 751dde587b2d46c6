#include "infer/manifest.h"

#include <filesystem>
#include <fstream>
#include <memory>

#include <openssl/evp.h>
#include <nlohmann/json.hpp>

namespace fai {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Expected<json> read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::kNotFound, "cannot open " + path.string());
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    return make_error(ErrorCode::kCorrupt, path.string() + ": " + e.what());
  }
}

std::string resolve(const fs::path& dir, const std::string& file) {
  const fs::path p(file);
  return (p.is_absolute() ? p : dir / p).string();
}

std::optional<ModelFile> parse_file(const json& files, const char* format, const fs::path& dir) {
  if (!files.contains(format)) return std::nullopt;
  const json& f = files.at(format);
  return ModelFile{resolve(dir, f.at("path").get<std::string>()), f.value("sha256", std::string())};
}

TensorSpec parse_tensor(const json& j) {
  return {j.value("name", std::string()), j.at("shape").get<std::vector<int64_t>>()};
}

Normalization parse_normalization(const json& input) {
  Normalization norm;
  norm.rgb = input.at("color").get<std::string>() == "RGB";
  norm.mean = input.at("mean").get<std::array<float, 3>>();
  norm.std = input.at("std").get<std::array<float, 3>>();
  return norm;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Throws json::exception on a missing key or wrong type; the caller names the model.
ModelInfo parse_model(const json& j, const fs::path& dir) {
  ModelInfo m;
  m.name = j.at("name").get<std::string>();
  m.task = j.at("task").get<std::string>();
  const json& files = j.at("files");
  m.onnx = parse_file(files, "onnx", dir);
  m.torchscript = parse_file(files, "torchscript", dir);
  m.input = parse_tensor(j.at("input"));
  m.normalization = parse_normalization(j.at("input"));
  for (const json& out : j.value("outputs", json::array())) m.outputs.push_back(parse_tensor(out));
  if (j.contains("labels")) m.labels = j.at("labels").get<std::vector<std::string>>();
  if (j.contains("labels_file")) {
    m.labels = read_lines(resolve(dir, j.at("labels_file").get<std::string>()));
  }
  return m;
}

Expected<Backend> parse_backend(const std::string& name) {
  if (name == "opencv") return Backend::kOpenCv;
  if (name == "torch") return Backend::kTorch;
  return make_error(ErrorCode::kCorrupt, "unknown backend \"" + name + "\"");
}

Status apply_backend_choice(const fs::path& dir, ModelManifest& manifest) {
  const fs::path path = backend_choice_path(dir.string());
  if (!fs::exists(path)) return {};
  auto choice = read_json(path);
  if (!choice) return choice.error();
  if (!choice->is_object())
    return make_error(ErrorCode::kCorrupt, path.string() + ": not an object");
  for (ModelInfo& model : manifest.models) {
    if (!choice->contains(model.name) || !(*choice)[model.name].is_string()) continue;
    auto backend = parse_backend((*choice)[model.name].get<std::string>());
    if (!backend)
      return make_error(ErrorCode::kCorrupt, path.string() + ": " + backend.error().message);
    model.measured_backend = *backend;
  }
  return {};
}

Status verify_file(const ModelFile& file) {
  if (!fs::exists(file.path)) return make_error(ErrorCode::kNotFound, "missing " + file.path);
  auto actual = sha256_file(file.path);
  if (!actual) return actual.error();
  if (*actual != file.sha256) {
    return make_error(ErrorCode::kCorrupt, file.path + ": sha256 " + *actual +
                                               " does not match the manifest's " + file.sha256);
  }
  return {};
}

}  // namespace

const ModelInfo* ModelManifest::find(const std::string& name) const {
  for (const ModelInfo& m : models) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

Expected<ModelManifest> load_manifest(const std::string& models_dir) {
  const fs::path dir(models_dir);
  auto doc = read_json(dir / "manifest.json");
  if (!doc) return doc.error();
  ModelManifest manifest;
  manifest.models_dir = models_dir;
  try {
    for (const json& j : doc->at("models")) manifest.models.push_back(parse_model(j, dir));
  } catch (const json::exception& e) {
    return make_error(ErrorCode::kCorrupt, (dir / "manifest.json").string() + ": model " +
                                               std::to_string(manifest.models.size()) + ": " +
                                               e.what());
  }
  if (auto st = apply_backend_choice(dir, manifest); !st) return st.error();
  return manifest;
}

Status verify(const ModelInfo& model) {
  for (const auto* file : {&model.onnx, &model.torchscript}) {
    if (!file->has_value()) continue;
    if (auto st = verify_file(**file); !st) return st;
  }
  return {};
}

Expected<std::string> sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kNotFound, "cannot open " + path);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return make_error(ErrorCode::kInternal, "OpenSSL cannot initialise SHA-256");
  }
  std::vector<char> chunk(1 << 20);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
    EVP_DigestUpdate(ctx.get(), chunk.data(), static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xF];
  }
  return hex;
}

std::string backend_choice_path(const std::string& models_dir) {
  return (fs::path(models_dir) / "backend-choice.json").string();
}

Status write_backend_choice(const std::string& models_dir,
                            const std::map<std::string, Backend>& choice) {
  json doc = json::object();
  for (const auto& [name, backend] : choice) {
    if (backend == Backend::kAuto) continue;
    doc[name] = to_string(backend);
  }
  const std::string path = backend_choice_path(models_dir);
  std::ofstream out(path);
  if (!out) return make_error(ErrorCode::kNotFound, "cannot write " + path);
  out << doc.dump(2) << "\n";
  return {};
}

}  // namespace fai
