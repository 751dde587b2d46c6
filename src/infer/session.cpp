#include "infer/session.h"

#include <algorithm>

#include <opencv2/core.hpp>

#include "infer/input_check.h"

namespace fai {

std::string format_shape(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

Status check_options(const SessionOptions& options) {
  if (options.threads < 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "session threads must be at least 1, got " + std::to_string(options.threads));
  }
  return {};
}

Status check_input(const Tensor& input, const std::vector<int64_t>& expected) {
  if (!input.consistent()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "input tensor has " + std::to_string(input.data.size()) +
                          " values but its shape " + format_shape(input.shape) + " needs " +
                          std::to_string(input.numel()));
  }
  auto matches = [&] {
    if (expected.empty()) return true;
    if (expected.size() != input.shape.size()) return false;
    return std::equal(expected.begin(), expected.end(), input.shape.begin(),
                      [](int64_t want, int64_t got) { return want <= 0 || want == got; });
  };
  if (input.shape.size() != 4 || !matches()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "input shape " + format_shape(input.shape) + " does not match the model's " +
                          (expected.empty() ? "NCHW rank 4" : format_shape(expected)));
  }
  return {};
}

#ifdef FAI_WITH_TORCH
std::string torch_version();  // torch_session.cpp: the only file with torch headers
#endif

std::string backend_versions() {
  std::string versions = "opencv " + cv::getVersionString();
#ifdef FAI_WITH_TORCH
  versions += ", libtorch " + torch_version();
#endif
  return versions;
}

bool torch_available() {
#ifdef FAI_WITH_TORCH
  return true;
#else
  return false;
#endif
}

#ifndef FAI_WITH_TORCH
Expected<std::unique_ptr<InferenceSession>> open_torchscript_session(const std::string& path,
                                                                     const SessionOptions&) {
  return make_error(ErrorCode::kUnsupported,
                    "cannot open " + path + ": this build has no libtorch (FAI_WITH_TORCH=OFF)");
}
#endif

Backend resolve_backend(const ModelInfo& model, Backend requested, Backend unmeasured) {
  if (requested != Backend::kAuto) return requested;
  const bool torch_usable = torch_available() && model.torchscript.has_value();
  if (model.measured_backend == Backend::kOpenCv && model.onnx) return Backend::kOpenCv;
  if (model.measured_backend == Backend::kTorch && torch_usable) return Backend::kTorch;
  if (unmeasured == Backend::kOpenCv && model.onnx) return Backend::kOpenCv;
  return torch_usable ? Backend::kTorch : Backend::kOpenCv;
}

namespace {

std::vector<std::string> declared_output_names(const ModelInfo& model) {
  std::vector<std::string> names;
  for (const TensorSpec& out : model.outputs) {
    if (out.name.empty()) return {};  // unnamed outputs: keep the backend's own order
    names.push_back(out.name);
  }
  return names;
}

}  // namespace

Expected<std::unique_ptr<InferenceSession>> open_session(const ModelInfo& model, Backend backend,
                                                         int threads) {
  const SessionOptions options{threads, model.input.shape, declared_output_names(model)};
  if (resolve_backend(model, backend) == Backend::kTorch) {
    if (!model.torchscript) {
      return make_error(ErrorCode::kNotFound, "model " + model.name + " has no TorchScript file");
    }
    return open_torchscript_session(model.torchscript->path, options);
  }
  if (!model.onnx)
    return make_error(ErrorCode::kNotFound, "model " + model.name + " has no ONNX file");
  return open_onnx_session(model.onnx->path, options);
}

}  // namespace fai
