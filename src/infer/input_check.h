#pragma once
// Shared by the backends: reject inputs before they reach OpenCV or libtorch, which assert or
// throw deep inside on a wrong shape.

#include <cstdint>
#include <string>
#include <vector>

#include "core/expected.h"
#include "core/tensor.h"
#include "infer/session.h"

namespace fai {

std::string format_shape(const std::vector<int64_t>& shape);

// One rule for both backends: libtorch throws on fewer than 1 thread, OpenCV reads 0 as "none".
Status check_options(const SessionOptions& options);

// Requires a consistent rank-4 tensor; dimensions of `expected` that are > 0 must match.
Status check_input(const Tensor& input, const std::vector<int64_t>& expected);

}  // namespace fai
