#include "detect/yolo/decode.h"

#include <algorithm>

namespace fai {
namespace {

constexpr int kStrides[] = {8, 16, 32};

Box clipped_xywh(float cx, float cy, float w, float h, int input_w, int input_h) {
  const float max_x = static_cast<float>(input_w), max_y = static_cast<float>(input_h);
  return {std::clamp(cx - w / 2, 0.0f, max_x), std::clamp(cy - h / 2, 0.0f, max_y),
          std::clamp(cx + w / 2, 0.0f, max_x), std::clamp(cy + h / 2, 0.0f, max_y)};
}

}  // namespace

int64_t ultralytics_anchor_count(int input_w, int input_h) {
  int64_t n = 0;
  for (int s : kStrides) n += int64_t{(input_w + s - 1) / s} * ((input_h + s - 1) / s);
  return n;
}

Expected<std::vector<Detection>> decode_ultralytics(const Tensor& out, int input_w, int input_h,
                                                    const ScoreFilter& filter) {
  const int64_t anchors = ultralytics_anchor_count(input_w, input_h);
  const auto& s = out.shape;
  if (s.size() != 3 || s[0] != 1 || s[1] < 5 || s[2] != anchors || !out.consistent()) {
    return make_error(ErrorCode::kCorrupt, "YOLO output does not fit a " + std::to_string(input_w) +
                                               "x" + std::to_string(input_h) +
                                               " input: expected [1,4+classes," +
                                               std::to_string(anchors) + "]");
  }
  const int num_classes = static_cast<int>(s[1] - 4);
  const std::vector<bool> kept = class_mask(filter, num_classes);
  // Channel-major: row r holds value r of every anchor.
  auto at = [&](int64_t row, int64_t anchor) { return out.data[row * anchors + anchor]; };
  std::vector<Detection> dets;
  for (int64_t i = 0; i < anchors; ++i) {
    int best = 0;
    for (int c = 1; c < num_classes; ++c) {
      if (at(4 + c, i) > at(4 + best, i)) best = c;
    }
    const float score = at(4 + best, i);
    if (!kept[best] || score < filter.score_threshold) continue;
    dets.push_back(
        {clipped_xywh(at(0, i), at(1, i), at(2, i), at(3, i), input_w, input_h), score, best});
  }
  return dets;
}

}  // namespace fai
