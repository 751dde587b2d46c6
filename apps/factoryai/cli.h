#pragma once
// Shared plumbing of the factoryai subcommands: global options, config loading and the
// "one clear error line, non-zero exit" convention.

#include <string>

#include <CLI/CLI.hpp>

#include "config/config.h"
#include "core/expected.h"

namespace fai::cli {

struct GlobalOptions {
  std::string config_path;  // empty = built-in defaults
  std::string models_dir;   // overrides inference.models_dir
  std::string backend;      // overrides inference.backend
  std::string log_level = "warn";
};

// Loads the config file (or defaults) and applies command-line overrides.
Expected<Config> resolve_config(const GlobalOptions& options);

// Prints "factoryai: <code>: <message>" on stderr and returns the process exit code for it.
int report(const Error& error);

// Each subcommand registers itself on `app`; its callback stores the exit code in `exit_code`.
void add_models_command(CLI::App& app, const GlobalOptions& options, int& exit_code);
void add_detect_command(CLI::App& app, const GlobalOptions& options, int& exit_code);
void add_process_command(CLI::App& app, const GlobalOptions& options, int& exit_code);
void add_bench_command(CLI::App& app, const GlobalOptions& options, int& exit_code);
void add_serve_command(CLI::App& app, const GlobalOptions& options, int& exit_code);
void add_eval_command(CLI::App& app, const GlobalOptions& options, int& exit_code);

}  // namespace fai::cli
