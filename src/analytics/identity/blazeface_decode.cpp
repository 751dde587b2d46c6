#include "analytics/identity/blazeface_decode.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/geometry.h"

namespace fai {
namespace {

constexpr int kValuesPerAnchor = 4 + 2 * kFaceKeypoints;

struct AnchorLayer {
  int stride;
  int anchors_per_cell;
};
constexpr AnchorLayer kLayers[] = {{16, 2}, {32, 6}};

float sigmoid(float logit) {
  return 1.0f / (1.0f + std::exp(-logit));
}

Face decode_anchor(const float* v, const cv::Point2f& anchor, float score) {
  Face face;
  face.score = score;
  const float cx = anchor.x + v[0], cy = anchor.y + v[1];
  face.box = {cx - v[2] / 2, cy - v[3] / 2, cx + v[2] / 2, cy + v[3] / 2};
  for (int k = 0; k < kFaceKeypoints; ++k) {
    face.keypoints[k] = {anchor.x + v[4 + 2 * k], anchor.y + v[5 + 2 * k]};
  }
  return face;
}

// Score-weighted mean of a cluster; keeps the best member's score.
Face blend(const std::vector<const Face*>& cluster) {
  Face out;
  out.score = cluster.front()->score;
  float total = 0;
  for (const Face* f : cluster) total += f->score;
  for (const Face* f : cluster) {
    const float w = f->score / total;
    out.box.x1 += w * f->box.x1;
    out.box.y1 += w * f->box.y1;
    out.box.x2 += w * f->box.x2;
    out.box.y2 += w * f->box.y2;
    for (int k = 0; k < kFaceKeypoints; ++k) out.keypoints[k] += w * f->keypoints[k];
  }
  return out;
}

std::vector<Face> blend_overlapping(std::vector<Face> candidates,
                                    const BlazeFaceDecodeParams& params) {
  std::sort(candidates.begin(), candidates.end(),
            [](const Face& a, const Face& b) { return a.score > b.score; });
  std::vector<bool> used(candidates.size(), false);
  std::vector<Face> faces;
  for (size_t i = 0; i < candidates.size() && faces.size() < size_t(params.max_faces); ++i) {
    if (used[i]) continue;
    std::vector<const Face*> cluster;
    for (size_t j = i; j < candidates.size(); ++j) {
      if (!used[j] && iou(candidates[i].box, candidates[j].box) > params.blend_iou) {
        used[j] = true;
        cluster.push_back(&candidates[j]);
      }
    }
    faces.push_back(blend(cluster));
  }
  return faces;
}

}  // namespace

std::vector<cv::Point2f> blazeface_anchors(int input_size) {
  std::vector<cv::Point2f> anchors;
  for (const AnchorLayer& layer : kLayers) {
    const int grid = input_size / layer.stride;
    for (int row = 0; row < grid; ++row) {
      for (int col = 0; col < grid; ++col) {
        const cv::Point2f centre((col + 0.5f) / grid * input_size,
                                 (row + 0.5f) / grid * input_size);
        anchors.insert(anchors.end(), layer.anchors_per_cell, centre);
      }
    }
  }
  return anchors;
}

Expected<std::vector<Face>> decode_blazeface(const Tensor& boxes, const Tensor& logits,
                                             int input_size, const BlazeFaceDecodeParams& params) {
  const std::vector<cv::Point2f> anchors = blazeface_anchors(input_size);
  const auto n = static_cast<int64_t>(anchors.size());
  if (boxes.shape != std::vector<int64_t>{1, n, kValuesPerAnchor} || !boxes.consistent() ||
      logits.shape != std::vector<int64_t>{1, n, 1} || !logits.consistent()) {
    return make_error(ErrorCode::kCorrupt, "blazeface outputs must be [1," + std::to_string(n) +
                                               ",16] and [1," + std::to_string(n) + ",1]");
  }
  std::vector<Face> candidates;
  for (int64_t i = 0; i < n; ++i) {
    const float score = sigmoid(logits.data[i]);
    if (score < params.min_score) continue;
    candidates.push_back(
        decode_anchor(boxes.data.data() + i * kValuesPerAnchor, anchors[i], score));
  }
  return blend_overlapping(std::move(candidates), params);
}

}  // namespace fai
