#pragma once
// Ultralytics YOLOv8 / YOLO11 detection output: [1, 4 + num_classes, N] with rows cx, cy, w, h
// in input pixels, then per-class scores (already sigmoid, no objectness).

#include <cstdint>

#include "core/expected.h"
#include "core/tensor.h"
#include "core/types.h"
#include "detect/score_filter.h"

namespace fai {

// N for an input of input_w x input_h: one anchor per cell of the stride 8, 16 and 32 grids.
int64_t ultralytics_anchor_count(int input_w, int input_h);

// One detection per anchor whose best class is kept and scores at or above the threshold (as
// Ultralytics' own non-multi-label NMS), boxes in model-input pixels clipped to the input.
// A shape that does not fit the input size -> kCorrupt.
Expected<std::vector<Detection>> decode_ultralytics(const Tensor& out, int input_w, int input_h,
                                                    const ScoreFilter& filter);

}  // namespace fai
