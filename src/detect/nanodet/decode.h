#pragma once
// NanoDet (GFL head) output decoding: per-class sigmoid scores plus a discrete distribution of
// each box side's distance from the cell centre.

#include <vector>

#include "core/expected.h"
#include "core/tensor.h"
#include "core/types.h"
#include "detect/score_filter.h"

namespace fai {

struct NanoDetParams {
  std::vector<int> strides = {8, 16, 32};  // level order of the concatenated outputs
  int reg_max = 10;                        // reg_max + 1 distance bins per side
  // Cell centre = (x + center_offset) * stride. Original NanoDet (GFL head, which the
  // human-models CSP variant and its tfjs decoder follow) uses 0.5; NanoDet-Plus uses 0.
  float center_offset = 0.5f;
  ScoreFilter filter;
};

// cls [1,N,C] (already sigmoid) and reg [1,N,4*(reg_max+1)] (left, top, right, bottom bins),
// cells row-major per level, levels in `strides` order. Returns one detection per cell and
// kept class scoring at or above the threshold (multi-label, as NanoDet's own post-processing),
// boxes in model-input pixels clipped to the input. Shape mismatches -> kCorrupt.
Expected<std::vector<Detection>> decode_nanodet(const Tensor& cls, const Tensor& reg, int input_w,
                                                int input_h, const NanoDetParams& params);

// Finds cls and reg among a model's outputs by shape (reg's last dimension is 4*(reg_max+1)),
// so converters may name them as they like.
struct NanoDetOutputs {
  const Tensor* cls = nullptr;
  const Tensor* reg = nullptr;
};
Expected<NanoDetOutputs> select_nanodet_outputs(const std::vector<Tensor>& outputs, int reg_max);

}  // namespace fai
