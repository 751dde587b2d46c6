#pragma once
// What the serve command creates for the dashboard's live side: the snapshot analyzer (handed
// to the Pipeline), the event hub fed by a pipeline listener, and the saved counting lines.

#include <memory>

#include "api/event_hub.h"
#include "api/live_feed.h"
#include "api/routes_stream.h"
#include "config/config.h"

namespace fai::api {

struct LiveDashboard {
  // Opens the camera-line store on the configured database (already migrated).
  static Expected<std::unique_ptr<LiveDashboard>> open(const Config& config);

  // Applies the saved lines (they override the config's) and starts feeding the event hub.
  // Saved lines of a camera the locked config no longer lists are skipped with a warning.
  Status attach(Pipeline& pipeline);

  std::shared_ptr<SnapshotAnalyzer> snapshots = std::make_shared<SnapshotAnalyzer>();
  std::unique_ptr<EventHub> events;
  std::unique_ptr<LiveFeed> feed;
  std::unique_ptr<store::CameraStore> camera_store;
  LiveServices services;
};

}  // namespace fai::api
