#include "analytics/identity/face_detector.h"

#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>

#include "core/geometry.h"
#include "image/preprocess.h"

namespace fai {
namespace {

const Tensor* find_output(const std::vector<Tensor>& outputs, const std::string& name) {
  for (const Tensor& t : outputs) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

cv::Rect clip_region(const Box& region, const cv::Mat& image) {
  const cv::Rect all(0, 0, image.cols, image.rows);
  if (region.area() <= 0) return all;
  const cv::Rect wanted(
      cv::Point(static_cast<int>(std::floor(region.x1)), static_cast<int>(std::floor(region.y1))),
      cv::Point(static_cast<int>(std::ceil(region.x2)), static_cast<int>(std::ceil(region.y2))));
  return wanted & all;
}

// Model pixels -> region pixels -> image pixels.
Face to_source(Face face, const Letterbox& lb, const cv::Rect& region) {
  const cv::Point2f origin(static_cast<float>(region.x), static_cast<float>(region.y));
  face.box = lb.to_source(face.box);
  face.box = {face.box.x1 + origin.x, face.box.y1 + origin.y, face.box.x2 + origin.x,
              face.box.y2 + origin.y};
  for (cv::Point2f& p : face.keypoints) {
    p = cv::Point2f((p.x - lb.pad_x) / lb.scale, (p.y - lb.pad_y) / lb.scale) + origin;
  }
  return face;
}

}  // namespace

FaceDetector::FaceDetector(std::unique_ptr<InferenceSession> session, const ModelInfo& model,
                           const BlazeFaceDecodeParams& params)
    : session_(std::move(session)),
      input_size_(model.input_width()),
      normalization_(model.normalization),
      params_(params) {}

Expected<std::unique_ptr<FaceDetector>> FaceDetector::open(const ModelInfo& model, Backend backend,
                                                           int threads,
                                                           const BlazeFaceDecodeParams& params) {
  if (model.task != "face_detect" || model.input_width() <= 0 ||
      model.input_width() != model.input_height()) {
    return make_error(ErrorCode::kInvalidArgument,
                      model.name + ": not a square-input face_detect model");
  }
  auto session = open_session(model, backend, threads);
  if (!session) return session.error();
  return std::make_unique<FaceDetector>(std::move(*session), model, params);
}

Expected<std::vector<Face>> FaceDetector::detect(const cv::Mat& bgr, const Box& region) {
  if (bgr.empty() || bgr.type() != CV_8UC3) {
    return make_error(ErrorCode::kInvalidArgument, "face detector needs an 8-bit BGR image");
  }
  const cv::Rect roi = clip_region(region, bgr);
  if (roi.empty()) return std::vector<Face>{};
  const Letterbox lb = Letterbox::fit(roi.width, roi.height, input_size_, input_size_);
  auto outputs = session_->run(make_input_tensor(bgr(roi), lb, normalization_));
  if (!outputs) return outputs.error();
  const Tensor* boxes = find_output(*outputs, "boxes");
  const Tensor* logits = find_output(*outputs, "logits");
  if (!boxes || !logits) {
    return make_error(ErrorCode::kCorrupt, "face detector model lacks outputs boxes/logits");
  }
  auto faces = decode_blazeface(*boxes, *logits, input_size_, params_);
  if (!faces) return faces.error();
  for (Face& face : *faces) face = to_source(face, lb, roi);
  return faces;
}

PaddedImage pad_image(const cv::Mat& bgr, float margin_fraction) {
  const int margin = static_cast<int>(std::lround(margin_fraction * std::max(bgr.cols, bgr.rows)));
  PaddedImage out;
  cv::copyMakeBorder(bgr, out.image, margin, margin, margin, margin, cv::BORDER_CONSTANT,
                     cv::Scalar::all(0));
  out.offset = cv::Point2f(static_cast<float>(margin), static_cast<float>(margin));
  return out;
}

Face shift_face(Face face, const cv::Point2f& by) {
  face.box = {face.box.x1 + by.x, face.box.y1 + by.y, face.box.x2 + by.x, face.box.y2 + by.y};
  for (cv::Point2f& p : face.keypoints) p += by;
  return face;
}

}  // namespace fai
