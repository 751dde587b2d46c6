#pragma once
// `factoryai eval track` and `factoryai eval count`: tracker and line-counter accuracy on a
// MOTChallenge-layout sequence.

#include <CLI/CLI.hpp>

#include "cli.h"

namespace fai::cli {

// Registers the two subcommands under `eval`; their callbacks store the exit code in exit_code.
void add_eval_track_commands(CLI::App& eval, const GlobalOptions& options, int& exit_code);

}  // namespace fai::cli
