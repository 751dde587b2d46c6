#pragma once
// Inference sessions: one loaded model behind a backend-neutral interface.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/expected.h"
#include "core/tensor.h"
#include "infer/manifest.h"

namespace fai {

// One loaded model that maps an NCHW float32 input to its outputs.
// run() returns every output, named, in a stable order: SessionOptions::output_names when given
// (a manifest's order), else the model's declared output order.
// Not thread-safe: each worker thread opens its own session (OpenCV's dnn::Net and TorchScript
// modules keep per-call state). Backend exceptions never escape: failures come back as Error.
class InferenceSession {
 public:
  virtual ~InferenceSession() = default;
  virtual Expected<std::vector<Tensor>> run(const Tensor& input) = 0;
  virtual const char* backend() const = 0;  // "opencv" | "torch"
};

struct SessionOptions {
  // Intra-op threads. Both backends size a process-wide pool, so the last session opened wins.
  int threads = 2;
  // When known, run() rejects other input shapes before the backend sees them.
  std::vector<int64_t> input_shape;
  // Names and order of the outputs run() returns; empty keeps the model's own.
  std::vector<std::string> output_names;
};

// Missing file -> kNotFound; unreadable or unsupported graph -> kCorrupt.
Expected<std::unique_ptr<InferenceSession>> open_onnx_session(const std::string& onnx_path,
                                                              const SessionOptions& options);
// kUnsupported when this build has no libtorch (FAI_WITH_TORCH=OFF).
Expected<std::unique_ptr<InferenceSession>> open_torchscript_session(
    const std::string& torchscript_path, const SessionOptions& options);
bool torch_available();
// "opencv 4.6.0" plus ", libtorch 1.13.0" when this build has the torch backend.
std::string backend_versions();

// The backend open_session() uses for `model`: an explicit request wins; kAuto takes the
// backend measured by `factoryai bench` (ModelInfo::measured_backend) when this build can run
// it, else `unmeasured` when usable (torch needs libtorch in the build and a TorchScript file),
// else OpenCV.
Backend resolve_backend(const ModelInfo& model, Backend requested,
                        Backend unmeasured = Backend::kTorch);

// Opens `model` from the manifest with its input shape and output order.
Expected<std::unique_ptr<InferenceSession>> open_session(const ModelInfo& model, Backend backend,
                                                         int threads);

}  // namespace fai
