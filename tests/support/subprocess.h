#pragma once
// Runs a program the way a user would and captures what it printed, for integration tests.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
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

// A program left running in the background, its stdout and stderr going to one log file; for
// servers under test. The destructor kills it (SIGKILL) if it still runs.
class BackgroundProcess {
 public:
  static std::unique_ptr<BackgroundProcess> start(const std::vector<std::string>& argv,
                                                  const std::string& log_path);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  bool running();  // false once it has exited (and then it is reaped)
  // Sends `signal`, waits up to `timeout` for the exit, then SIGKILLs. Returns the exit code as
  // RunResult::exit_code does (128 + signal when killed by one).
  int stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  std::string log() const;
  pid_t pid() const { return pid_; }

 private:
  BackgroundProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_;
  std::string log_path_;
  int exit_code_ = -1;
};

// Polls `condition` every 20 ms until it holds (true) or `timeout` passes (false).
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The built factoryai binary (FAI_BINARY_DIR/factoryai).
std::string factoryai_path();
// models/ at the source root; tests that need models skip when it is absent, unless
// FAI_REQUIRE_MODELS=1 (as in `make test`) turns the skip into a failure.
std::string models_dir();
bool models_available();
bool models_required();

}  // namespace fai::test
