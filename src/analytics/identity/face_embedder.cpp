#include "analytics/identity/face_embedder.h"

#include <cmath>
#include <numeric>

#include <opencv2/core.hpp>

#include "image/preprocess.h"

namespace fai {
namespace {

constexpr const char* kEmbeddingOutput = "embedding";

int embedding_dimension(const ModelInfo& model) {
  for (const TensorSpec& out : model.outputs) {
    if (out.name == kEmbeddingOutput && out.shape.size() == 2)
      return static_cast<int>(out.shape[1]);
  }
  return 0;
}

}  // namespace

FaceEmbedder::FaceEmbedder(std::unique_ptr<InferenceSession> session, const ModelInfo& model)
    : session_(std::move(session)),
      template_(face_template_for(model.name, model.input_width(), model.input_height())),
      normalization_(model.normalization),
      dimension_(embedding_dimension(model)) {}

Expected<std::unique_ptr<FaceEmbedder>> FaceEmbedder::open(const ModelInfo& model, Backend backend,
                                                           int threads) {
  if (model.task != "face_embed" || embedding_dimension(model) <= 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      model.name + ": not a face_embed model with an [1,D] embedding output");
  }
  auto session = open_session(model, backend, threads);
  if (!session) return session.error();
  return std::make_unique<FaceEmbedder>(std::move(*session), model);
}

Expected<Embedding> FaceEmbedder::embed(const cv::Mat& aligned_bgr) {
  if (aligned_bgr.type() != CV_8UC3 || aligned_bgr.cols != template_.width ||
      aligned_bgr.rows != template_.height) {
    return make_error(ErrorCode::kInvalidArgument,
                      "embedder needs an aligned " + std::to_string(template_.width) + "x" +
                          std::to_string(template_.height) + " BGR face");
  }
  auto features = run(aligned_bgr);
  if (!features) return features.error();
  if (!flip_augmentation_) return l2_normalized(std::move(*features));
  cv::Mat mirrored;
  cv::flip(aligned_bgr, mirrored, 1);
  auto mirror_features = run(mirrored);
  if (!mirror_features) return mirror_features.error();
  // Each half normalised first, so neither view dominates the mean.
  auto a = l2_normalized(std::move(*features));
  auto b = l2_normalized(std::move(*mirror_features));
  if (!a) return a.error();
  if (!b) return b.error();
  for (size_t i = 0; i < a->size(); ++i) (*a)[i] += (*b)[i];
  return l2_normalized(std::move(*a));
}

Expected<std::vector<float>> FaceEmbedder::run(const cv::Mat& aligned_bgr) {
  const Letterbox identity =
      Letterbox::fit(template_.width, template_.height, template_.width, template_.height);
  auto outputs = session_->run(make_input_tensor(aligned_bgr, identity, normalization_));
  if (!outputs) return outputs.error();
  for (Tensor& t : *outputs) {
    if (t.name == kEmbeddingOutput && t.data.size() == size_t(dimension_)) {
      return std::move(t.data);
    }
  }
  return make_error(ErrorCode::kCorrupt,
                    "embedder returned no [1," + std::to_string(dimension_) + "] embedding output");
}

Expected<Embedding> l2_normalized(std::vector<float> v) {
  const double norm = std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
  if (!(norm > 0)) return make_error(ErrorCode::kInvalidArgument, "zero embedding");
  for (float& x : v) x = static_cast<float>(x / norm);
  return v;
}

float cosine_similarity(const Embedding& a, const Embedding& b) {
  FAI_CHECK(a.size() == b.size());
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0f);
}

}  // namespace fai
