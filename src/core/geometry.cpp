#include "core/geometry.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fai {

float iou(const Box& a, const Box& b) {
  const Box inter{std::max(a.x1, b.x1), std::max(a.y1, b.y1), std::min(a.x2, b.x2),
                  std::min(a.y2, b.y2)};
  const float overlap = inter.area();
  const float uni = a.area() + b.area() - overlap;
  return uni > 0 ? overlap / uni : 0.0f;
}

static std::vector<int> indices_by_score(const std::vector<Detection>& dets) {
  std::vector<int> order(dets.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return dets[a].score > dets[b].score; });
  return order;
}

std::vector<int> nms(const std::vector<Detection>& dets, float iou_threshold, bool per_class) {
  std::vector<int> kept;
  std::vector<bool> removed(dets.size(), false);
  for (int i : indices_by_score(dets)) {
    if (removed[i]) continue;
    kept.push_back(i);
    for (size_t j = 0; j < dets.size(); ++j) {
      if (removed[j] || static_cast<int>(j) == i) continue;
      if (per_class && dets[j].class_id != dets[i].class_id) continue;
      if (iou(dets[i].box, dets[j].box) > iou_threshold) removed[j] = true;
    }
  }
  return kept;
}

static std::vector<Detection> select(const std::vector<Detection>& dets,
                                     const std::vector<int>& idx) {
  std::vector<Detection> out;
  out.reserve(idx.size());
  for (int i : idx) out.push_back(dets[i]);
  return out;
}

std::vector<Detection> suppress_duplicates(const std::vector<Detection>& dets,
                                           const SuppressionParams& params) {
  const auto per_class = select(dets, nms(dets, params.same_class_iou, true));
  return select(per_class, nms(per_class, params.cross_class_iou, false));
}

Letterbox Letterbox::fit(int src_width, int src_height, int dst_width, int dst_height) {
  Letterbox lb;
  lb.src_width = src_width;
  lb.src_height = src_height;
  lb.dst_width = dst_width;
  lb.dst_height = dst_height;
  if (src_width <= 0 || src_height <= 0) return lb;
  lb.scale = std::min(static_cast<float>(dst_width) / src_width,
                      static_cast<float>(dst_height) / src_height);
  // Integer padding so the resized image lands on whole pixels, as the image resize does.
  const int resized_w = static_cast<int>(std::lround(src_width * lb.scale));
  const int resized_h = static_cast<int>(std::lround(src_height * lb.scale));
  lb.pad_x = static_cast<float>((dst_width - resized_w) / 2);
  lb.pad_y = static_cast<float>((dst_height - resized_h) / 2);
  return lb;
}

Box Letterbox::to_source(const Box& m) const {
  auto clamp_x = [&](float v) { return std::clamp(v, 0.0f, static_cast<float>(src_width)); };
  auto clamp_y = [&](float v) { return std::clamp(v, 0.0f, static_cast<float>(src_height)); };
  return {clamp_x((m.x1 - pad_x) / scale), clamp_y((m.y1 - pad_y) / scale),
          clamp_x((m.x2 - pad_x) / scale), clamp_y((m.y2 - pad_y) / scale)};
}

Box Letterbox::to_model(const Box& s) const {
  return {s.x1 * scale + pad_x, s.y1 * scale + pad_y, s.x2 * scale + pad_x, s.y2 * scale + pad_y};
}

}  // namespace fai
