#pragma once
// `factoryai eval plates DIR`: plate reading accuracy on the openalpr benchmark layout
// (ground_truth.csv: subset,image,x,y,w,h,plate).

#include <CLI/CLI.hpp>

#include "cli.h"

namespace fai::cli {

// Registers `plates` under `eval`; its callback stores the exit code in exit_code.
void add_eval_plates_command(CLI::App& eval, const GlobalOptions& options, int& exit_code);

}  // namespace fai::cli
