#pragma once
// models/manifest.json, written by tools/models: which models exist, their files with sha256,
// input geometry and normalisation, outputs and labels. The only code that parses it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/expected.h"
#include "image/preprocess.h"

namespace fai {

struct ModelFile {
  std::string path;  // absolute, or relative to the working directory
  std::string sha256;
};

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
};

struct ModelInfo {
  std::string name;
  std::string task;  // detect | face_detect | ocr_det | ocr_rec
  std::optional<ModelFile> onnx;
  std::optional<ModelFile> torchscript;
  TensorSpec input;  // NCHW
  Normalization normalization;
  std::vector<TensorSpec> outputs;
  std::vector<std::string> labels;
  Backend measured_backend = Backend::kAuto;  // from backend-choice.json; kAuto = not measured

  int input_width() const { return input.shape.size() == 4 ? static_cast<int>(input.shape[3]) : 0; }
  int input_height() const {
    return input.shape.size() == 4 ? static_cast<int>(input.shape[2]) : 0;
  }
};

struct ModelManifest {
  std::string models_dir;
  std::vector<ModelInfo> models;

  const ModelInfo* find(const std::string& name) const;
};

// Reads <models_dir>/manifest.json and, when present, <models_dir>/backend-choice.json.
// Missing manifest -> kNotFound; malformed JSON or missing keys -> kCorrupt naming the key.
Expected<ModelManifest> load_manifest(const std::string& models_dir);

// Checks that every file of `model` exists (kNotFound) and matches its sha256 (kCorrupt).
Status verify(const ModelInfo& model);
Expected<std::string> sha256_file(const std::string& path);  // lowercase hex

// backend-choice.json maps model name -> "opencv" | "torch"; `factoryai bench` writes it.
std::string backend_choice_path(const std::string& models_dir);
Status write_backend_choice(const std::string& models_dir,
                            const std::map<std::string, Backend>& choice);

}  // namespace fai
