#pragma once
// JSON shapes of the API: the seed's /api/process response and the read endpoints' rows.

#include <nlohmann/json.hpp>

#include "pipeline/frame_outcome.h"
#include "pipeline/pipeline.h"
#include "store/store.h"

namespace fai::api {

// The seed's fields with the seed's names and types (success, frame_id, timestamp, occupancy,
// entries, exits, entries_this_frame, exits_this_frame, faces_recognized, vehicles_detected,
// people_count, vehicle_count, processing_time_ms), plus camera_id, tracks, crossings, stage_ms.
nlohmann::json process_response(const FrameOutcome& outcome);

nlohmann::json camera_json(const CameraStatus& camera);
nlohmann::json snapshot_json(const OccupancySnapshot& row);
nlohmann::json crossing_json(const CrossingRow& row);
nlohmann::json metric_json(const MetricRow& row);
nlohmann::json latency_json(const LatencySummary& s);

}  // namespace fai::api
