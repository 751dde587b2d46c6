#pragma once
// Runs a program the way a user would and captures what it printed, for integration tests.

#include <chrono>
#include <string>
#include <vector>

namespace fai::test {

struct RunResult {
  int exit_code = -1;  // 128 + signal when killed by a signal (a crash shows as >= 128)
  std::string out;
  std::string err;
  bool timed_out = false;
};

RunResult run_command(const std::vector<std::string>& argv,
                      std::chrono::seconds timeout = std::chrono::seconds(120));

// The built factoryai binary (FAI_BINARY_DIR/factoryai).
std::string factoryai_path();
// models/ at the source root; tests that need models skip when it is absent, unless
// FAI_REQUIRE_MODELS=1 (as in `make test`) turns the skip into a failure.
std::string models_dir();
bool models_available();
bool models_required();

}  // namespace fai::test
