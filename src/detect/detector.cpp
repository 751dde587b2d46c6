#include "detect/detector.h"

#include <chrono>
#include <functional>

#include "core/geometry.h"
#include "detect/nanodet/decode.h"
#include "detect/yolo/decode.h"
#include "image/preprocess.h"
#include "infer/manifest.h"
#include "infer/onnx_shape.h"
#include "infer/session.h"

namespace fai {
namespace {

// Ultralytics exports default to 640; a dynamic-shape export does not say.
constexpr int kDefaultYoloInputSize = 640;

using Clock = std::chrono::steady_clock;
using DecodeFn = std::function<Expected<std::vector<Detection>>(const std::vector<Tensor>&)>;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

struct ModelInput {
  int width = 0, height = 0;
  Normalization normalization;
};

// Every detector is letterbox -> session -> model-specific decode -> source pixels -> suppress;
// only the decode step differs between model families.
class ModelDetector final : public Detector {
 public:
  ModelDetector(std::unique_ptr<InferenceSession> session, ModelInput input, DecodeFn decode,
                const DetectorConfig& config)
      : session_(std::move(session)),
        input_(std::move(input)),
        decode_(std::move(decode)),
        suppression_{config.nms_iou, config.cross_class_iou},
        max_detections_(config.max_detections) {}

  Expected<std::vector<Detection>> detect(const cv::Mat& bgr) override {
    if (bgr.empty() || bgr.type() != CV_8UC3) {
      return make_error(ErrorCode::kInvalidArgument, "detector needs a non-empty 8-bit BGR image");
    }
    const auto start = Clock::now();
    const Letterbox lb = Letterbox::fit(bgr.cols, bgr.rows, input_.width, input_.height);
    const Tensor tensor = make_input_tensor(bgr, lb, input_.normalization);
    const auto preprocessed = Clock::now();
    auto outputs = session_->run(tensor);
    if (!outputs) return outputs.error();
    const auto forwarded = Clock::now();
    auto dets = decode_(*outputs);
    if (!dets) return dets.error();
    auto result = to_source(*dets, lb);
    timing_ = {ms_between(start, preprocessed), ms_between(preprocessed, forwarded),
               ms_between(forwarded, Clock::now())};
    return result;
  }

  const DetectTiming& last_timing() const override { return timing_; }
  const char* backend() const override { return session_->backend(); }

 private:
  std::vector<Detection> to_source(std::vector<Detection> dets, const Letterbox& lb) const {
    std::vector<Detection> visible;
    for (Detection& d : dets) {
      d.box = lb.to_source(d.box);
      if (d.box.area() > 0) visible.push_back(d);  // boxes wholly inside the padding vanish
    }
    auto kept = suppress_duplicates(visible, suppression_);
    if (kept.size() > static_cast<size_t>(max_detections_)) kept.resize(max_detections_);
    return kept;
  }

  std::unique_ptr<InferenceSession> session_;
  ModelInput input_;
  DecodeFn decode_;
  SuppressionParams suppression_;
  int max_detections_;
  DetectTiming timing_;
};

ScoreFilter score_filter(const DetectorConfig& config) {
  return {config.score_threshold, config.classes};
}

Expected<std::unique_ptr<Detector>> warmed_up(std::unique_ptr<Detector> detector,
                                              const std::string& model, int width, int height) {
  const cv::Mat grey(height, width, CV_8UC3, cv::Scalar(114, 114, 114));
  if (auto dets = detector->detect(grey); !dets) {
    return make_error(dets.error().code, model + ": " + dets.error().message);
  }
  return detector;
}

Expected<std::unique_ptr<Detector>> make_nanodet(const DetectorConfig& config,
                                                 const InferenceConfig& inference) {
  auto manifest = load_manifest(inference.models_dir);
  if (!manifest) return manifest.error();
  const std::string name = config.model.empty() ? "nanodet" : config.model;
  const ModelInfo* model = manifest->find(name);
  if (!model) {
    return make_error(ErrorCode::kNotFound, "model \"" + name + "\" is not in " +
                                                inference.models_dir + "/manifest.json");
  }
  auto session = open_session(*model, inference.backend, inference.threads);
  if (!session) return session.error();
  const ModelInput input{model->input_width(), model->input_height(), model->normalization};
  NanoDetParams params;
  params.filter = score_filter(config);
  DecodeFn decode =
      [params, input](const std::vector<Tensor>& outputs) -> Expected<std::vector<Detection>> {
    auto heads = select_nanodet_outputs(outputs, params.reg_max);
    if (!heads) return heads.error();
    return decode_nanodet(*heads->cls, *heads->reg, input.width, input.height, params);
  };
  return warmed_up(
      std::make_unique<ModelDetector>(std::move(*session), input, std::move(decode), config), name,
      input.width, input.height);
}

// Ultralytics exports are [1,3,H,W]; dynamic dimensions fall back to the export default.
Expected<ModelInput> yolo_input(const std::string& path) {
  auto shape = onnx_input_shape(path);
  if (!shape) return shape.error();
  if (shape->size() != 4 || ((*shape)[1] != 3 && (*shape)[1] > 0)) {
    return make_error(ErrorCode::kCorrupt, path + ": expected a [1,3,H,W] input");
  }
  auto size = [](int64_t dim) { return dim > 0 ? static_cast<int>(dim) : kDefaultYoloInputSize; };
  const Normalization rgb_unit{true, {0, 0, 0}, {255, 255, 255}};
  return ModelInput{size((*shape)[3]), size((*shape)[2]), rgb_unit};
}

Expected<std::unique_ptr<Detector>> make_yolo(const DetectorConfig& config,
                                              const InferenceConfig& inference) {
  if (config.model.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "detector type yolo needs model: <path.onnx>");
  }
  if (inference.backend == Backend::kTorch) {
    return make_error(
        ErrorCode::kUnsupported,
        "detector type yolo runs ONNX on OpenCV; set inference.backend to auto or opencv");
  }
  auto input = yolo_input(config.model);
  if (!input) return input.error();
  const SessionOptions options{inference.threads, {1, 3, input->height, input->width}, {}};
  auto session = open_onnx_session(config.model, options);
  if (!session) return session.error();
  DecodeFn decode = [filter = score_filter(config), w = input->width, h = input->height](
                        const std::vector<Tensor>& outputs) -> Expected<std::vector<Detection>> {
    if (outputs.empty()) return make_error(ErrorCode::kCorrupt, "YOLO model has no outputs");
    return decode_ultralytics(outputs.front(), w, h, filter);
  };
  return warmed_up(
      std::make_unique<ModelDetector>(std::move(*session), *input, std::move(decode), config),
      config.model, input->width, input->height);
}

}  // namespace

Expected<std::unique_ptr<Detector>> make_detector(const DetectorConfig& config,
                                                  const InferenceConfig& inference) {
  if (config.type == "nanodet") return make_nanodet(config, inference);
  if (config.type == "yolo") return make_yolo(config, inference);
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown detector type \"" + config.type + "\" (nanodet | yolo)");
}

}  // namespace fai
