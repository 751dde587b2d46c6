#include "cli.h"

#include <iostream>

namespace fai::cli {

Expected<Config> resolve_config(const GlobalOptions& options) {
  Config config;
  if (!options.config_path.empty()) {
    auto loaded = load_config(options.config_path);
    if (!loaded) return loaded.error();
    config = std::move(*loaded);
  }
  if (!options.models_dir.empty()) config.inference.models_dir = options.models_dir;
  if (options.backend == "opencv") config.inference.backend = Backend::kOpenCv;
  if (options.backend == "torch") config.inference.backend = Backend::kTorch;
  if (options.backend == "auto") config.inference.backend = Backend::kAuto;
  return config;
}

int report(const Error& error) {
  // Library messages (OpenCV's what()) end in newlines of their own: one line per error.
  const auto end = error.message.find_last_not_of(" \n\r\t");
  std::cerr << "factoryai: " << to_string(error.code) << ": " << error.message.substr(0, end + 1)
            << "\n";
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
      return 2;
    default:
      return 1;
  }
}

}  // namespace fai::cli
