#pragma once
// What `serve` needs for vehicles: the list/visit repository behind /api/vehicles and
// /api/vehicle-logs, and, when anpr.enabled and the PP-OCR models are installed, the plate
// analyzer that reads plates per vehicle track and writes the visits.

#include <memory>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "analytics/anpr/plate_reader.h"
#include "config/config.h"
#include "pipeline/analyzers/plate_analyzer.h"
#include "store/vehicle_store.h"

namespace fai::cli {

struct VehicleServices {
  std::unique_ptr<VehicleStore> store;
  std::unique_ptr<PlateReader> reader;      // null: no plate reading
  std::shared_ptr<PlateAnalyzer> analyzer;  // null: no plate reading
  std::mutex reader_mutex;                  // one reader shared by the pipeline's workers

  // Opens after open_store() (the migrations). Missing OCR models only disable plate reading
  // (logged); a bad gate line, an unreachable database or a spool that cannot be opened is an
  // error. With plate reading on, the analyzer replays `visit_spool_path` and closes the visits
  // the previous run left open (PlateAnalyzer::recover) before the first frame.
  static Expected<std::unique_ptr<VehicleServices>> open(const Config& config,
                                                         const std::string& visit_spool_path);
  // Appends the analyzer (if any) to the pipeline's list.
  void add_analyzer(std::vector<std::shared_ptr<FrameAnalyzer>>& analyzers) const;
  // The "anpr" section of /api/diagnostic.
  nlohmann::json diagnostic() const;
};

}  // namespace fai::cli
