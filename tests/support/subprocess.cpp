#include "subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace fai::test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string temp_path(const char* tag) {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() /
          ("fai_run_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + tag))
      .string();
}

int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::string& out,
                             const std::string& err) {
  const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err_fd = out == err ? out_fd : open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int null_fd = open("/dev/null", O_RDONLY);
  dup2(null_fd, STDIN_FILENO);
  dup2(out_fd, STDOUT_FILENO);
  dup2(err_fd, STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

}  // namespace

RunResult run_command(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  const std::string out = temp_path(".out"), err = temp_path(".err");
  const pid_t pid = fork();
  if (pid == 0) exec_child(argv, out, err);
  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  result.exit_code = exit_code(status);
  result.out = slurp(out);
  result.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return result;
}

std::unique_ptr<BackgroundProcess> BackgroundProcess::start(const std::vector<std::string>& argv,
                                                            const std::string& log_path) {
  const pid_t pid = fork();
  if (pid == 0) exec_child(argv, log_path, log_path);
  return std::unique_ptr<BackgroundProcess>(new BackgroundProcess(pid, log_path));
}

BackgroundProcess::~BackgroundProcess() {
  if (running()) stop(SIGKILL);
}

bool BackgroundProcess::running() {
  if (exit_code_ >= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  exit_code_ = exit_code(status);
  return false;
}

int BackgroundProcess::stop(int signal, std::chrono::milliseconds timeout) {
  if (!running()) return exit_code_;
  kill(pid_, signal);
  if (!wait_until([this] { return !running(); }, timeout)) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_code_ = exit_code(status);
  }
  return exit_code_;
}

std::string BackgroundProcess::log() const {
  return slurp(log_path_);
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::string factoryai_path() {
  return std::string(FAI_BINARY_DIR) + "/factoryai";
}

std::string models_dir() {
  return std::string(FAI_SOURCE_DIR) + "/models";
}

bool models_available() {
  return std::filesystem::exists(models_dir() + "/manifest.json");
}

bool models_required() {
  const char* v = std::getenv("FAI_REQUIRE_MODELS");
  return v != nullptr && std::string(v) == "1";
}

}  // namespace fai::test
