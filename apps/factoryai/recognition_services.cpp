#include "recognition_services.h"

#include <spdlog/spdlog.h>

#include "cloud/aws/from_config.h"
#include "infer/manifest.h"

namespace fai::cli {
namespace {

bool uses_aws(const std::string& mode) {
  return mode == "aws" || mode == "hybrid";
}

nlohmann::json usage_json(const aws::CostReport& report, bool budget_exhausted) {
  return {
      {"calls_today", report.today.calls},
      {"cost_today_usd", report.today.cost_usd},
      {"calls_month", report.this_month.calls},
      {"cost_month_usd", report.this_month.cost_usd},
      {"budget_month_usd", report.monthly_budget_usd ? nlohmann::json(*report.monthly_budget_usd)
                                                     : nlohmann::json(nullptr)},
      {"budget_exhausted", budget_exhausted},
      {"calls_without_cache_month", report.this_month.calls_without_cache},
      {"without_cache_estimate_usd", report.this_month.cost_without_cache_usd},
      {"price_per_image_usd", report.price_per_image_usd}};
}

}  // namespace

std::unique_ptr<RecognitionServices> RecognitionServices::open(const Config& config) {
  auto services = std::make_unique<RecognitionServices>();
  const RecognitionConfig& rc = config.recognition;
  services->mode_ = rc.mode;
  services->gallery = std::make_shared<Gallery>(rc.threshold);
  if (!rc.enabled) return services;
  if (uses_aws(rc.mode)) {
    auto client = aws::make_rekognition_client(config.aws);
    if (client) {
      services->aws = std::move(*client);
    } else {
      spdlog::warn("recognition mode {}: no AWS client ({}); recognising locally", rc.mode,
                   client.error().message);
    }
  }
  auto manifest = load_manifest(config.inference.models_dir);
  auto models =
      manifest ? open_face_models(*manifest, config.inference.backend, config.inference.threads)
               : Expected<FaceModels>(manifest.error());
  if (!models) {
    spdlog::warn("face recognition off: {} (run `make models`)", models.error().message);
    return services;
  }
  FaceAnalyzerOptions options;
  options.recognition = rc;
  options.aws_collection = config.aws.collection_id;
  options.aws_price_per_image_usd = config.aws.price_per_image_usd;
  options.aws_min_similarity_pct = config.aws.min_similarity_pct;
  RecognitionServices* self = services.get();  // outlives the pipeline that calls the lookup
  services->analyzer = std::make_shared<FaceAnalyzer>(
      std::move(*models), services->gallery,
      [self](const std::string& id) { return self->name_of(id); }, options, services->aws);
  services->enabled_ = true;
  return services;
}

void RecognitionServices::set_names(EmployeeNameLookup names) {
  std::lock_guard lock(names_mutex_);
  names_ = std::move(names);
}

std::string RecognitionServices::name_of(const std::string& employee_id) const {
  std::lock_guard lock(names_mutex_);
  return names_ ? names_(employee_id) : employee_id;
}

void RecognitionServices::add_analyzer(
    std::vector<std::shared_ptr<FrameAnalyzer>>& analyzers) const {
  if (analyzer) analyzers.push_back(analyzer);
}

nlohmann::json RecognitionServices::diagnostic() const {
  nlohmann::json section = {{"enabled", enabled_},
                            {"mode", mode_},
                            {"threshold", gallery->threshold()},
                            {"employees", gallery->employees()},
                            {"templates", gallery->templates()}};
  const FaceAnalyzerStats s = analyzer ? analyzer->stats() : FaceAnalyzerStats{};
  section["cache"] = {{"hits", s.cache.hits},
                      {"misses", s.cache.misses},
                      {"hit_rate", s.cache.hit_rate()},
                      {"entries", s.cache.entries}};
  section["recognitions"] = s.cache.decisions;
  section["tracks_identified"] = s.cache.identified;
  section["face_reads"] = s.cache.reads;
  section["faces_rejected"] = s.faces_rejected;
  aws::CostMeter* meter = analyzer ? &analyzer->meter() : aws ? &aws->meter() : nullptr;
  nlohmann::json aws_section =
      meter ? usage_json(meter->report(), !meter->allow()) : usage_json(aws::CostReport{}, false);
  aws_section["configured"] = aws != nullptr;
  aws_section["requests"] = s.aws_requests;
  aws_section["failures"] = s.aws_failures;
  aws_section["skipped"] = s.aws_skipped;
  aws_section["circuit"] = analyzer ? analyzer->circuit_state() : "closed";
  section["aws"] = aws_section;
  return section;
}

}  // namespace fai::cli
