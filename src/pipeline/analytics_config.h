#pragma once
// Configuration structs (src/config) turned into the engines' own configs, in one place, so the
// server and the eval commands track and count with the same settings.

#include "analytics/occupancy/occupancy_counter.h"
#include "config/config.h"
#include "track/byte_tracker.h"

namespace fai {

TrackerConfig tracker_config(const TrackerSettings& settings);
// `camera` may be null: the seed's default line.
OccupancyConfig occupancy_config(const OccupancySettings& settings, const CameraConfig* camera);

}  // namespace fai
