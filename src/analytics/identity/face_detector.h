#pragma once
// BlazeFace face detection on a whole image or inside a region (a person box).

#include <memory>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "analytics/identity/blazeface_decode.h"
#include "infer/manifest.h"
#include "infer/session.h"

namespace fai {

// Finds faces with their six keypoints. detect() letterboxes the region to the model input,
// decodes and maps boxes and keypoints back to source pixels of `bgr`, best first.
// BlazeFace is a short-range model: on a whole 1920 px group photo the faces shrink to ~15 model
// pixels and it finds nothing useful, so run it on person boxes; a face that fills the whole
// region can be missed, and pad_image gives it a margin (dlib_johns' crops did not need one).
// Not thread-safe (one session per worker); errors are values, never exceptions.
class FaceDetector {
 public:
  FaceDetector(std::unique_ptr<InferenceSession> session, const ModelInfo& model,
               const BlazeFaceDecodeParams& params);

  // `model` must be a face_detect entry with square input and outputs boxes + logits.
  static Expected<std::unique_ptr<FaceDetector>> open(const ModelInfo& model, Backend backend,
                                                      int threads,
                                                      const BlazeFaceDecodeParams& params);

  // Region in source pixels, clipped to the image; an empty region means the whole image.
  Expected<std::vector<Face>> detect(const cv::Mat& bgr, const Box& region = {});

 private:
  std::unique_ptr<InferenceSession> session_;
  int input_size_;
  Normalization normalization_;
  BlazeFaceDecodeParams params_;
};

// `bgr` with a black border of `margin_fraction` x its longer side on every side, and the
// offset of the original inside it; lets BlazeFace see a tight face crop with context.
struct PaddedImage {
  cv::Mat image;
  cv::Point2f offset;
};
PaddedImage pad_image(const cv::Mat& bgr, float margin_fraction);

// Moves a face found in a padded image back into the original image's pixels.
Face shift_face(Face face, const cv::Point2f& by);

}  // namespace fai
