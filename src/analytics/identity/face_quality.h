#pragma once
// Quality gate: is a detected face worth embedding? Small, blurred or turned faces give
// embeddings that match the wrong person more often than they help a per-track vote.

#include <string>

#include <opencv2/core/mat.hpp>

#include "analytics/identity/face.h"

namespace fai {

struct FaceQualityParams {
  float min_face_px = 40;  // face box width in source pixels
  // Variance of the Laplacian of the grey aligned face (224 px for faceres). Measured medians:
  // dlib_johns' ~120 px faces upscaled 19 (all identified correctly, 10 of 55 below 10), the
  // ageitgey photos 365; so only clearly smeared faces fall below 5.
  float min_sharpness = 5;
  // 1 = nose midway between the eyes (frontal), 0 = nose level with an eye (profile).
  float min_frontalness = 0.5f;
};

struct FaceQuality {
  float face_px = 0;
  float sharpness = 0;
  float frontalness = 0;
  std::string rejected_because;  // empty = acceptable

  bool acceptable() const { return rejected_because.empty(); }
};

// Frontalness from keypoint symmetry: where the nose projects onto the eye-to-eye line.
float frontalness(const Face& face);

// Measures `face` (source pixels) and its aligned crop against `params`. Pure; thread-safe.
FaceQuality assess_face(const Face& face, const cv::Mat& aligned_bgr,
                        const FaceQualityParams& params);

}  // namespace fai
