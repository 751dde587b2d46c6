#pragma once
// Object detection: the Detector interface and the factory that builds one from the config.

#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "config/config.h"
#include "core/expected.h"
#include "core/types.h"

namespace fai {

// Wall time of the last detect() call by stage, so `bench` can report forward latency alone.
struct DetectTiming {
  double preprocess_ms = 0;   // letterbox, colour order, normalisation
  double forward_ms = 0;      // the inference backend
  double postprocess_ms = 0;  // decoding, mapping to source pixels, suppression
};

// Finds objects in one 8-bit BGR image of any size. Returns boxes in source pixels, best score
// first: only the configured classes at or above the score threshold, same-class and
// cross-class duplicates suppressed, at most max_detections.
// Not thread-safe: each worker thread makes its own detector (it owns an inference session).
// An empty or non-BGR image -> kInvalidArgument; backend failures come back as errors.
class Detector {
 public:
  virtual ~Detector() = default;
  virtual Expected<std::vector<Detection>> detect(const cv::Mat& bgr) = 0;
  virtual const DetectTiming& last_timing() const = 0;
  virtual const char* backend() const = 0;  // the inference backend in use
};

// type "nanodet": the manifest model named config.model (default "nanodet") in
// inference.models_dir, on the backend inference.backend resolves to.
// type "yolo": the Ultralytics ONNX file at config.model on OpenCV; the input size comes from
// the file (640 when dynamic).
// Runs one warm-up frame so a model whose outputs do not fit its decoder fails here, at startup.
Expected<std::unique_ptr<Detector>> make_detector(const DetectorConfig& config,
                                                  const InferenceConfig& inference);

}  // namespace fai
