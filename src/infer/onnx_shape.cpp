#include "infer/onnx_shape.h"

#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string_view>

namespace fai {
namespace {

// Field numbers from onnx.proto (ModelProto, GraphProto, ValueInfoProto, TypeProto, ...).
constexpr uint32_t kModelGraph = 7;
constexpr uint32_t kGraphInitializer = 5;
constexpr uint32_t kGraphInput = 11;
constexpr uint32_t kTensorName = 8;
constexpr uint32_t kValueInfoName = 1;
constexpr uint32_t kValueInfoType = 2;
constexpr uint32_t kTypeTensor = 1;
constexpr uint32_t kTensorTypeShape = 2;
constexpr uint32_t kShapeDim = 1;
constexpr uint32_t kDimValue = 1;

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

// Walks the fields of one protobuf message; stops (ok() == false) on malformed bytes.
class ProtoFields {
 public:
  explicit ProtoFields(std::string_view message) : rest_(message) {}

  bool next() {
    if (rest_.empty() || !ok_) return false;
    const auto key = read_varint();
    if (!key) return fail();
    field_ = static_cast<uint32_t>(*key >> 3);
    wire_ = static_cast<uint32_t>(*key & 7);
    switch (wire_) {
      case kVarint: {
        const auto v = read_varint();
        if (!v) return fail();
        varint_ = *v;
        return true;
      }
      case kLengthDelimited: {
        const auto len = read_varint();
        if (!len || *len > rest_.size()) return fail();
        bytes_ = rest_.substr(0, *len);
        rest_.remove_prefix(*len);
        return true;
      }
      case kFixed64:
        return skip(8);
      case kFixed32:
        return skip(4);
      default:
        return fail();
    }
  }
  bool ok() const { return ok_; }
  uint32_t field() const { return field_; }
  bool is(uint32_t field, WireType wire) const { return field_ == field && wire_ == wire; }
  uint64_t varint() const { return varint_; }
  std::string_view bytes() const { return bytes_; }

 private:
  std::optional<uint64_t> read_varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64 && !rest_.empty(); shift += 7) {
      const auto byte = static_cast<uint8_t>(rest_.front());
      rest_.remove_prefix(1);
      value |= uint64_t{byte & 0x7Fu} << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return std::nullopt;
  }
  bool skip(size_t n) {
    if (n > rest_.size()) return fail();
    rest_.remove_prefix(n);
    return true;
  }
  bool fail() {
    ok_ = false;
    return false;
  }

  std::string_view rest_;
  std::string_view bytes_;
  uint64_t varint_ = 0;
  uint32_t field_ = 0;
  uint32_t wire_ = 0;
  bool ok_ = true;
};

std::optional<std::string_view> first_message(std::string_view message, uint32_t field) {
  ProtoFields f(message);
  while (f.next()) {
    if (f.is(field, kLengthDelimited)) return f.bytes();
  }
  return std::nullopt;
}

std::set<std::string_view> initializer_names(std::string_view graph) {
  std::set<std::string_view> names;
  ProtoFields f(graph);
  while (f.next()) {
    if (!f.is(kGraphInitializer, kLengthDelimited)) continue;
    if (auto name = first_message(f.bytes(), kTensorName)) names.insert(*name);
  }
  return names;
}

std::optional<std::vector<int64_t>> tensor_shape(std::string_view value_info) {
  auto type = first_message(value_info, kValueInfoType);
  auto tensor = type ? first_message(*type, kTypeTensor) : std::nullopt;
  auto shape = tensor ? first_message(*tensor, kTensorTypeShape) : std::nullopt;
  if (!shape) return std::nullopt;
  std::vector<int64_t> dims;
  ProtoFields f(*shape);
  while (f.next()) {
    if (!f.is(kShapeDim, kLengthDelimited)) continue;
    int64_t dim = -1;  // dim_param (a symbolic name) or nothing: dynamic
    ProtoFields d(f.bytes());
    while (d.next()) {
      if (d.is(kDimValue, kVarint)) dim = static_cast<int64_t>(d.varint());
    }
    dims.push_back(dim);
  }
  return dims;
}

}  // namespace

Expected<std::vector<int64_t>> onnx_input_shape(const std::string& onnx_path) {
  std::ifstream in(onnx_path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kNotFound, "cannot open model file " + onnx_path);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto graph = first_message(bytes, kModelGraph);
  if (!graph) return make_error(ErrorCode::kCorrupt, onnx_path + " is not an ONNX model");
  const auto initializers = initializer_names(*graph);
  ProtoFields f(*graph);
  while (f.next()) {
    if (!f.is(kGraphInput, kLengthDelimited)) continue;
    const auto name = first_message(f.bytes(), kValueInfoName);
    if (name && initializers.count(*name)) continue;
    if (auto shape = tensor_shape(f.bytes())) return *shape;
  }
  return make_error(ErrorCode::kCorrupt, onnx_path + " declares no tensor input");
}

}  // namespace fai
