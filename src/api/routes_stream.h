#pragma once
// The dashboard's live side: GET /api/stream (Server-Sent Events), GET /api/cameras,
// PUT /api/cameras/{id}/lines and GET /api/cameras/{id}/snapshot.

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "api/event_hub.h"
#include "pipeline/analyzers/snapshot_analyzer.h"
#include "pipeline/pipeline.h"
#include "store/camera_store.h"

namespace fai::api {

struct LiveServices {
  EventHub* events = nullptr;
  store::CameraStore* camera_store = nullptr;
  SnapshotAnalyzer* snapshots = nullptr;
  std::chrono::milliseconds keep_alive{15000};  // the ": keep-alive" comment when idle
};

// Routes answer 503 when `live` (or the part they need) is null.
void add_stream_routes(httplib::Server& http, Pipeline& pipeline, const LiveServices* live);

// Saved lines as the pipeline's lines, and back.
std::vector<CountingLine> to_counting_lines(const std::vector<store::SavedLine>& saved);
std::vector<store::SavedLine> to_saved_lines(const std::vector<CountingLine>& lines);

// The lines of a PUT body {"lines": [{id, x1, y1, x2, y2, in_side, infinite?}, ...]}: the same
// rules as the config's camera lines (ids present and distinct, in_side left|right, distinct
// end points), plus coordinates finite in [0, 100000] and at most 32 lines. Every problem is
// reported at once.
Expected<std::vector<CountingLine>> parse_lines(const nlohmann::json& body);

}  // namespace fai::api
