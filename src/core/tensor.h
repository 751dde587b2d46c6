#pragma once
// A dense float32 tensor in row-major order: the currency between preprocessing,
// inference backends and decoders.

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

namespace fai {

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;

  static int64_t count(const std::vector<int64_t>& shape) {
    return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
  }
  int64_t numel() const { return count(shape); }
  bool consistent() const { return numel() == static_cast<int64_t>(data.size()); }
};

}  // namespace fai
