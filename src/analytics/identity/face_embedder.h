#pragma once
// Face embedding: an aligned face crop -> an L2-normalised feature vector, compared by cosine.

#include <memory>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "analytics/identity/face_align.h"
#include "infer/manifest.h"
#include "infer/session.h"

namespace fai {

using Embedding = std::vector<float>;  // unit length

// Runs a face_embed model (output "embedding") on a crop made by align_face with template().
// embed() returns a unit-length vector of dimension(); a crop of the wrong size or type ->
// kInvalidArgument. Not thread-safe (one session per worker); errors are values.
class FaceEmbedder {
 public:
  FaceEmbedder(std::unique_ptr<InferenceSession> session, const ModelInfo& model);

  static Expected<std::unique_ptr<FaceEmbedder>> open(const ModelInfo& model, Backend backend,
                                                      int threads);

  const FaceTemplate& face_template() const { return template_; }
  int dimension() const { return dimension_; }
  Expected<Embedding> embed(const cv::Mat& aligned_bgr);

  // Test-time augmentation: embed the face and its mirror image and average them (twice the
  // cost). Enrolment and matching must use the same setting. Measured in docs/decisions.md.
  void set_flip_augmentation(bool on) { flip_augmentation_ = on; }
  bool flip_augmentation() const { return flip_augmentation_; }
  void set_align_points(AlignPoints points) { template_.points = points; }

 private:
  std::unique_ptr<InferenceSession> session_;
  FaceTemplate template_;
  Normalization normalization_;
  int dimension_;
  bool flip_augmentation_ = false;

  Expected<std::vector<float>> run(const cv::Mat& aligned_bgr);
};

// Scales `v` to unit length; a zero vector -> kInvalidArgument (it matches nobody).
Expected<Embedding> l2_normalized(std::vector<float> v);
// Dot product of two unit vectors of equal length.
float cosine_similarity(const Embedding& a, const Embedding& b);

}  // namespace fai
