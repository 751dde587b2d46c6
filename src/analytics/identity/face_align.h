#pragma once
// Face alignment: a similarity transform (rotation, uniform scale, shift) that puts the eyes on
// the embedder's canonical eye positions, so the embedder sees level, equally sized faces.

#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "analytics/identity/face.h"
#include "core/expected.h"

namespace fai {

// Which keypoints the alignment fits: the two eyes exactly, or eyes, nose tip and mouth by
// least squares (steadier scale on turned or tilted faces; measured in docs/decisions.md).
enum class AlignPoints { kEyes, kEyesNoseMouth };

// Where an embedder expects the face's keypoints in its input, in template pixels. right_eye is
// the subject's right eye (image left), so right_eye.x < left_eye.x.
struct FaceTemplate {
  int width = 0, height = 0;
  cv::Point2f right_eye, left_eye;
  cv::Point2f nose, mouth;  // ArcFace's proportions relative to the eyes
  AlignPoints points = AlignPoints::kEyes;
};

// The template for a model by name: ArcFace's 112x112 eye points for mobilefacenet; for faceres
// (and unknown models, scaled to their input) eyes 32 % of the width apart at 38 % of the height,
// the best of a sweep on dlib_johns (tools/models/README.md, identity section).
FaceTemplate face_template_for(const std::string& model_name, int input_width, int input_height);

// The exact similarity transform mapping (right_eye, left_eye) in the source onto the
// template's eye points, as a 2x3 matrix for cv::warpAffine. Requires distinct eye points.
cv::Matx23d eye_similarity(const cv::Point2f& right_eye, const cv::Point2f& left_eye,
                           const FaceTemplate& to);

// The least-squares similarity transform (no reflection) mapping `from` onto `to`, point by
// point; needs at least two distinct points.
cv::Matx23d least_squares_similarity(const std::vector<cv::Point2f>& from,
                                     const std::vector<cv::Point2f>& to);

// Warps `bgr` into a template-sized 8-bit BGR face crop; borders replicate the edge pixels so
// a face at the image edge does not get a black wedge the embedder would read as a feature.
// Eyes less than kMinEyeDistancePx apart (a degenerate detection) -> kInvalidArgument.
inline constexpr float kMinEyeDistancePx = 1.0f;
Expected<cv::Mat> align_face(const cv::Mat& bgr, const Face& face, const FaceTemplate& to);

}  // namespace fai
