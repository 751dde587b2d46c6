// OpenCV DNN backend: reads ONNX, runs on the CPU with OpenCV's own kernels (the universal path).

#include <filesystem>

#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>

#include "infer/input_check.h"
#include "infer/onnx_shape.h"
#include "infer/session.h"

namespace fai {
namespace {

Tensor to_tensor(const cv::Mat& mat, std::string name) {
  cv::Mat dense = mat.isContinuous() ? mat : mat.clone();
  if (dense.type() != CV_32F) dense.convertTo(dense, CV_32F);
  Tensor t;
  t.name = std::move(name);
  t.shape.assign(dense.size.p, dense.size.p + dense.dims);
  const auto* begin = dense.ptr<float>();
  t.data.assign(begin, begin + dense.total());
  return t;
}

class OpenCvSession final : public InferenceSession {
 public:
  OpenCvSession(cv::dnn::Net net, std::vector<int64_t> input_shape,
                std::vector<std::string> output_names)
      : net_(std::move(net)),
        input_shape_(std::move(input_shape)),
        output_names_(std::move(output_names)) {}

  Expected<std::vector<Tensor>> run(const Tensor& input) override {
    if (auto st = check_input(input, input_shape_); !st) return st.error();
    const std::vector<int> dims(input.shape.begin(), input.shape.end());
    // The blob only wraps the caller's data: OpenCV copies it into its own buffers in setInput.
    const cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F,
                       const_cast<float*>(input.data.data()));
    std::vector<cv::Mat> outputs;
    try {
      net_.setInput(blob);
      net_.forward(outputs, output_names_);
    } catch (const std::exception& e) {  // cv::Exception, or bad_alloc on a huge input
      return make_error(ErrorCode::kInternal, std::string("OpenCV forward failed for input ") +
                                                  format_shape(input.shape) + ": " + e.what());
    }
    std::vector<Tensor> tensors;
    for (size_t i = 0; i < outputs.size(); ++i) {
      tensors.push_back(to_tensor(outputs[i], output_names_[i]));
    }
    return tensors;
  }

  const char* backend() const override { return "opencv"; }

 private:
  cv::dnn::Net net_;
  std::vector<int64_t> input_shape_;
  std::vector<std::string> output_names_;
};

Expected<cv::dnn::Net> read_onnx(const std::string& path) {
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(path);
    if (net.empty()) return make_error(ErrorCode::kCorrupt, path + ": OpenCV read an empty graph");
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    return net;
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kCorrupt,
                      path + ": OpenCV cannot import this ONNX model: " + e.what());
  }
}

Status check_outputs_exist(cv::dnn::Net& net, const std::vector<std::string>& names,
                           const std::string& path) {
  for (const std::string& name : names) {
    if (net.getLayerId(name) < 0) {
      return make_error(ErrorCode::kCorrupt, path + " has no output named \"" + name + "\"");
    }
  }
  return {};
}

}  // namespace

Expected<std::unique_ptr<InferenceSession>> open_onnx_session(const std::string& path,
                                                              const SessionOptions& options) {
  if (auto st = check_options(options); !st) return st.error();
  if (!std::filesystem::is_regular_file(path)) {
    return make_error(ErrorCode::kNotFound, "model file not found: " + path);
  }
  auto net = read_onnx(path);
  if (!net) return net.error();
  std::vector<std::string> outputs = options.output_names;
  if (outputs.empty()) outputs = net->getUnconnectedOutLayersNames();
  if (auto st = check_outputs_exist(*net, outputs, path); !st) return st.error();
  std::vector<int64_t> input_shape = options.input_shape;
  if (input_shape.empty()) {
    auto declared = onnx_input_shape(path);
    if (!declared) return declared.error();
    input_shape = std::move(*declared);
  }
  cv::setNumThreads(options.threads);
  return std::unique_ptr<InferenceSession>(
      std::make_unique<OpenCvSession>(std::move(*net), std::move(input_shape), std::move(outputs)));
}

}  // namespace fai
