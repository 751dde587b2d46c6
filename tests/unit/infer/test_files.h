#pragma once
// Paths and scratch files shared by the infer tests.

#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace fai::test {

inline std::string model_path(const std::string& file) {
  return std::string(FAI_TEST_MODELS_DIR) + "/" + file;
}

inline std::string write_scratch(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

inline std::string random_bytes(size_t n) {
  std::mt19937 rng(42);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

}  // namespace fai::test
