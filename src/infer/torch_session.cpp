// libtorch backend: TorchScript frozen and optimised after loading (the fast path on CPU).
// The only file that includes torch headers: they take a long time to compile.

#include <filesystem>

#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>
#include <torch/script.h>
#include <torch/version.h>

#include "infer/input_check.h"
#include "infer/session.h"

namespace fai {
namespace {

Status flatten(const c10::IValue& value, std::vector<at::Tensor>& out) {
  if (value.isTensor()) {
    out.push_back(value.toTensor());
  } else if (value.isTuple()) {
    for (const auto& element : value.toTupleRef().elements()) {
      if (auto st = flatten(element, out); !st) return st;
    }
  } else if (value.isList()) {
    for (const auto& element : value.toListRef()) {
      if (auto st = flatten(element, out); !st) return st;
    }
  } else {
    return make_error(ErrorCode::kUnsupported,
                      "TorchScript model returned a " + value.tagKind() + ", not tensors");
  }
  return {};
}

Tensor to_tensor(const at::Tensor& t, std::string name) {
  const at::Tensor dense = t.to(at::kFloat).contiguous();
  Tensor out;
  out.name = std::move(name);
  out.shape.assign(dense.sizes().begin(), dense.sizes().end());
  const float* begin = dense.data_ptr<float>();
  out.data.assign(begin, begin + dense.numel());
  return out;
}

class TorchSession final : public InferenceSession {
 public:
  TorchSession(torch::jit::Module module, SessionOptions options)
      : module_(std::move(module)), options_(std::move(options)) {}

  Expected<std::vector<Tensor>> run(const Tensor& input) override {
    if (auto st = check_input(input, options_.input_shape); !st) return st.error();
    std::vector<at::Tensor> outputs;
    try {
      c10::InferenceMode inference_mode;
      // from_blob does not copy; the model only reads its input.
      const at::Tensor x = torch::from_blob(const_cast<float*>(input.data.data()), input.shape,
                                            at::TensorOptions().dtype(at::kFloat));
      if (auto st = flatten(module_.forward({x}), outputs); !st) return st.error();
      return to_tensors(outputs);
    } catch (const std::exception& e) {
      return make_error(ErrorCode::kInternal, "TorchScript forward failed for input " +
                                                  format_shape(input.shape) + ": " + e.what());
    }
  }

  const char* backend() const override { return "torch"; }

 private:
  Expected<std::vector<Tensor>> to_tensors(const std::vector<at::Tensor>& outputs) const {
    const auto& names = options_.output_names;
    if (!names.empty() && names.size() != outputs.size()) {
      return make_error(ErrorCode::kCorrupt,
                        "TorchScript model returned " + std::to_string(outputs.size()) +
                            " outputs, the manifest lists " + std::to_string(names.size()));
    }
    std::vector<Tensor> tensors;
    for (size_t i = 0; i < outputs.size(); ++i) {
      tensors.push_back(
          to_tensor(outputs[i], names.empty() ? "output" + std::to_string(i) : names[i]));
    }
    return tensors;
  }

  torch::jit::Module module_;
  SessionOptions options_;
};

// Freezing + optimize_for_inference routes the remaining BLAS convolutions to oneDNN (about 2x
// on YOLO-style graphs). Torch 1.13 cannot save a frozen module, so it happens after loading.
torch::jit::Module optimise(torch::jit::Module module, const std::string& path) {
  module.eval();
  try {
    return torch::jit::optimize_for_inference(module);
  } catch (const std::exception& e) {
    spdlog::warn("{}: running unoptimised, optimize_for_inference failed: {}", path, e.what());
    return module;
  }
}

// TORCH_WARN goes to stderr through glog by default; an optimised graph warns about resized
// outputs on every call, which would bury our own log. Route it to spdlog's debug level.
class DebugLogWarnings final : public c10::WarningHandler {
 public:
  void process(const c10::SourceLocation&, const std::string& msg, bool) override {
    spdlog::debug("torch: {}", msg);
  }
};

void route_torch_warnings() {
  static DebugLogWarnings handler;
  c10::Warning::set_warning_handler(&handler);
}

}  // namespace

std::string torch_version() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

Expected<std::unique_ptr<InferenceSession>> open_torchscript_session(
    const std::string& path, const SessionOptions& options) {
  if (auto st = check_options(options); !st) return st.error();
  if (!std::filesystem::is_regular_file(path)) {
    return make_error(ErrorCode::kNotFound, "model file not found: " + path);
  }
  route_torch_warnings();
  at::set_num_threads(options.threads);
  torch::jit::Module module;
  try {
    module = torch::jit::load(path, torch::kCPU);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kCorrupt,
                      path + ": not a loadable TorchScript module: " + e.what());
  }
  return std::unique_ptr<InferenceSession>(
      std::make_unique<TorchSession>(optimise(std::move(module), path), options));
}

}  // namespace fai
