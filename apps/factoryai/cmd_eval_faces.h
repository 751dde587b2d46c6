#pragma once
// `factoryai eval faces DIR`: enrol, identify, hold out strangers, calibrate the threshold.

#include <CLI/CLI.hpp>

#include "cli.h"

namespace fai::cli {

// Registers `faces` under `eval`; its callback stores the exit code in `exit_code`.
void add_eval_faces_command(CLI::App& eval, const GlobalOptions& options, int& exit_code);
// `eval faces-sequence VIDEO --enrol PATH`: recognition, cache and AWS calls over a video.
void add_eval_faces_sequence_command(CLI::App& eval, const GlobalOptions& options, int& exit_code);

}  // namespace fai::cli
