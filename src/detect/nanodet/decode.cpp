#include "detect/nanodet/decode.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace fai {
namespace {

struct Level {
  int stride, width, height;
};

std::vector<Level> levels(int input_w, int input_h, const std::vector<int>& strides) {
  std::vector<Level> out;
  for (int s : strides) out.push_back({s, (input_w + s - 1) / s, (input_h + s - 1) / s});
  return out;
}

int64_t cell_count(const std::vector<Level>& levels) {
  int64_t n = 0;
  for (const Level& l : levels) n += int64_t{l.width} * l.height;
  return n;
}

// Distance in strides: the expectation of the softmax over one side's bins.
float expected_distance(const float* bins, int count) {
  const float peak = *std::max_element(bins, bins + count);
  float total = 0, weighted = 0;
  for (int i = 0; i < count; ++i) {
    const float p = std::exp(bins[i] - peak);
    total += p;
    weighted += p * static_cast<float>(i);
  }
  return weighted / total;
}

Box cell_box(const float* sides, int bins, float cx, float cy, float stride, int input_w,
             int input_h) {
  const float w = static_cast<float>(input_w), h = static_cast<float>(input_h);
  const float left = expected_distance(sides, bins) * stride;
  const float top = expected_distance(sides + bins, bins) * stride;
  const float right = expected_distance(sides + 2 * bins, bins) * stride;
  const float bottom = expected_distance(sides + 3 * bins, bins) * stride;
  return {std::clamp(cx - left, 0.0f, w), std::clamp(cy - top, 0.0f, h),
          std::clamp(cx + right, 0.0f, w), std::clamp(cy + bottom, 0.0f, h)};
}

bool is_rows(const Tensor& t, int64_t rows) {
  const auto& s = t.shape;
  const bool shaped =
      (s.size() == 3 && s[0] == 1 && s[1] == rows) || (s.size() == 2 && s[0] == rows);
  return shaped && t.consistent();
}

}  // namespace

Expected<std::vector<Detection>> decode_nanodet(const Tensor& cls, const Tensor& reg, int input_w,
                                                int input_h, const NanoDetParams& params) {
  const auto grid = levels(input_w, input_h, params.strides);
  const int64_t cells = cell_count(grid);
  const int bins = params.reg_max + 1;
  if (!is_rows(cls, cells) || !is_rows(reg, cells) || reg.shape.back() != 4 * bins) {
    return make_error(ErrorCode::kCorrupt,
                      "NanoDet outputs do not fit a " + std::to_string(input_w) + "x" +
                          std::to_string(input_h) + " input: expected cls [1," +
                          std::to_string(cells) + ",C] and reg [1," + std::to_string(cells) + "," +
                          std::to_string(4 * bins) + "]");
  }
  const int num_classes = static_cast<int>(cls.shape.back());
  const std::vector<bool> kept = class_mask(params.filter, num_classes);
  std::vector<Detection> dets;
  int64_t cell = 0;
  for (const Level& level : grid) {
    for (int y = 0; y < level.height; ++y) {
      for (int x = 0; x < level.width; ++x, ++cell) {
        const float* scores = cls.data.data() + cell * num_classes;
        std::optional<Box> box;  // decoded only for cells that pass the filter
        for (int c = 0; c < num_classes; ++c) {
          if (!kept[c] || scores[c] < params.filter.score_threshold) continue;
          if (!box) {
            box = cell_box(reg.data.data() + cell * 4 * bins, bins,
                           (x + params.center_offset) * level.stride,
                           (y + params.center_offset) * level.stride,
                           static_cast<float>(level.stride), input_w, input_h);
          }
          dets.push_back({*box, scores[c], c});
        }
      }
    }
  }
  return dets;
}

Expected<NanoDetOutputs> select_nanodet_outputs(const std::vector<Tensor>& outputs, int reg_max) {
  NanoDetOutputs found;
  for (const Tensor& t : outputs) {
    const bool is_reg = !t.shape.empty() && t.shape.back() == 4 * (reg_max + 1);
    const Tensor*& slot = is_reg ? found.reg : found.cls;
    if (slot) {
      return make_error(ErrorCode::kCorrupt, "NanoDet model has more than one output shaped like " +
                                                 std::string(is_reg ? "reg" : "cls"));
    }
    slot = &t;
  }
  if (!found.cls || !found.reg) {
    return make_error(ErrorCode::kCorrupt,
                      "NanoDet model needs a cls output and a reg output with last dimension " +
                          std::to_string(4 * (reg_max + 1)));
  }
  return found;
}

}  // namespace fai
