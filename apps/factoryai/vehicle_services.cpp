#include "vehicle_services.h"

#include <spdlog/spdlog.h>

namespace fai::cli {

Expected<std::unique_ptr<VehicleServices>> VehicleServices::open(
    const Config& config, const std::string& visit_spool_path) {
  auto services = std::make_unique<VehicleServices>();
  auto store = VehicleStore::open({config.store.url});
  if (!store) return store.error();
  services->store = std::move(*store);
  if (!config.anpr.enabled) return services;
  auto gates = resolve_gate_lines(config);
  if (!gates) return gates.error();
  PlateReaderParams params;
  params.formats = config.anpr.formats;
  params.engines = config.anpr.engines;
  params.min_confidence = config.anpr.min_confidence;
  auto reader = PlateReader::open(config.inference, params);
  if (!reader) {
    spdlog::warn("anpr: plate reading is off: {}", reader.error().message);
    return services;
  }
  services->reader = std::move(*reader);
  VehicleServices* self = services.get();
  PlateReadFn read = [self](const cv::Mat& image, const Box& box) {
    std::lock_guard lock(self->reader_mutex);
    return self->reader->read(image, box);
  };
  services->analyzer =
      std::make_shared<PlateAnalyzer>(config.anpr, std::move(read), services->store.get(),
                                      std::move(*gates), config.occupancy.min_frames_on_new_side);
  if (Status st = services->analyzer->recover(visit_spool_path, std::chrono::system_clock::now());
      !st) {
    return st.error();
  }
  return services;
}

void VehicleServices::add_analyzer(std::vector<std::shared_ptr<FrameAnalyzer>>& analyzers) const {
  if (analyzer) analyzers.push_back(analyzer);
}

nlohmann::json VehicleServices::diagnostic() const {
  if (!analyzer) return {{"enabled", false}};
  const PlateAnalyzerStats s = analyzer->stats();
  return {{"enabled", true},
          {"vehicle_tracks", s.tracks},
          {"ocr_calls", s.ocr_calls_total},
          {"ocr_calls_of_ended_tracks", s.ocr_calls},
          {"ocr_calls_per_track", s.ocr_calls_per_track()},
          {"plates_read", s.plates_read},
          {"alerts", s.alerts},
          {"visit_write_failures", s.write_failures},
          {"visit_writes_pending", s.writes_pending},
          {"visit_writes_dropped", s.writes_dropped},
          {"visits_closed_at_start", s.visits_closed_at_start},
          {"visits_expired", s.visits_expired}};
}

}  // namespace fai::cli
