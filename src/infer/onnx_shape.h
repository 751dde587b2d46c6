#pragma once
// Reads the declared input shape straight from an ONNX file's protobuf, because OpenCV's DNN
// module does not expose it: sessions validate inputs with it and the YOLO detector takes its
// input size from it.

#include <cstdint>
#include <string>
#include <vector>

#include "core/expected.h"

namespace fai {

// Shape of the first graph input that is not an initializer; dynamic dimensions are -1.
// Missing file -> kNotFound; not an ONNX model or no tensor input -> kCorrupt.
Expected<std::vector<int64_t>> onnx_input_shape(const std::string& onnx_path);

}  // namespace fai
