#pragma once
// Shared by the backends: reject inputs before they reach OpenCV or libtorch, which assert or
// throw deep inside on a wrong shape.

#include <cstdint>
#include <string>
#include <vector>

#include "core/expected.h"
#include "core/tensor.h"

namespace fai {

std::string format_shape(const std::vector<int64_t>& shape);

// Requires a consistent rank-4 tensor; dimensions of `expected` that are > 0 must match.
Status check_input(const Tensor& input, const std::vector<int64_t>& expected);

}  // namespace fai
