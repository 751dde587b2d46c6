#include "api/live_dashboard.h"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace fai::api {

Expected<std::unique_ptr<LiveDashboard>> LiveDashboard::open(const Config& config) {
  auto d = std::make_unique<LiveDashboard>();
  auto camera_store = store::CameraStore::open({config.store.url});
  if (!camera_store) return camera_store.error();
  d->camera_store = std::move(*camera_store);
  // Each open stream holds one HTTP thread: half of them stay free for the API.
  const auto max_streams = static_cast<size_t>(std::max(1, config.server.http_threads / 2));
  d->events = std::make_unique<EventHub>(256, max_streams);
  d->feed = std::make_unique<LiveFeed>(*d->events);
  d->services = {d->events.get(), d->camera_store.get(), d->snapshots.get()};
  return d;
}

Status LiveDashboard::attach(Pipeline& pipeline) {
  auto saved = camera_store->all_lines();
  if (!saved) return saved.error();
  for (const store::CameraLines& camera : *saved) {
    const Status st = pipeline.set_lines(camera.camera_id, to_counting_lines(camera.lines));
    if (st.ok()) {
      spdlog::info("camera {}: {} counting line(s) from the database", camera.camera_id,
                   camera.lines.size());
    } else if (st.error().code == ErrorCode::kNotFound) {
      spdlog::warn("camera {}: saved lines skipped: {}", camera.camera_id, st.error().message);
    } else {
      return st;
    }
  }
  pipeline.add_listener([feed = feed.get()](const FrameOutcome& o) { feed->on_outcome(o); });
  return {};
}

}  // namespace fai::api
