// `factoryai models`: what is installed, where it came from, and whether its hashes verify.

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "infer/manifest.h"
#include "infer/session.h"

namespace fai::cli {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

int run_models(const GlobalOptions& options, bool as_json) {
  auto config = resolve_config(options);
  if (!config) return report(config.error());
  auto manifest = load_manifest(config->inference.models_dir);
  if (!manifest) return report(manifest.error());
  int failures = 0;
  nlohmann::json out = nlohmann::json::array();
  for (const ModelInfo& m : manifest->models) {
    const Status st = verify(m);
    failures += st.ok() ? 0 : 1;
    const std::string verdict = st.ok() ? "ok" : st.error().message;
    const std::string backend = to_string(resolve_backend(m, config->inference.backend));
    if (as_json) {
      out.push_back({{"name", m.name},
                     {"task", m.task},
                     {"input", m.input.shape},
                     {"backend", backend},
                     {"verified", st.ok()},
                     {"status", verdict}});
    } else {
      std::printf("%-16s %-12s in %-14s backend %-7s %s\n", m.name.c_str(), m.task.c_str(),
                  shape_text(m.input.shape).c_str(), backend.c_str(), verdict.c_str());
    }
  }
  if (as_json) std::cout << out.dump(2) << "\n";
  if (failures > 0) {
    return report(
        make_error(ErrorCode::kCorrupt,
                   std::to_string(failures) + " model(s) failed verification; run `make models`"));
  }
  return 0;
}

}  // namespace

void add_models_command(CLI::App& app, const GlobalOptions& options, int& exit_code) {
  auto* cmd = app.add_subcommand("models", "List installed models and verify their sha256");
  auto as_json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *as_json, "Print JSON instead of a table");
  cmd->callback([&options, &exit_code, as_json] { exit_code = run_models(options, *as_json); });
}

}  // namespace fai::cli
