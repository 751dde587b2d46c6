#include "api/routes_stream.h"

#include <cmath>
#include <set>

#include <nlohmann/json.hpp>

#include "api/errors.h"
#include "api/http_util.h"

namespace fai::api {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxLines = 32;
constexpr double kMaxCoordinate = 100000;
// A subscriber waits at most this long, so a stopping server ends every stream within it.
constexpr std::chrono::milliseconds kWaitSlice{500};

json line_json(const CountingLine& l) {
  return {{"id", l.id},
          {"x1", l.start.x},
          {"y1", l.start.y},
          {"x2", l.end.x},
          {"y2", l.end.y},
          {"in_side", l.in_side == LineSide::kLeft ? "left" : "right"},
          {"infinite", l.infinite}};
}

json lines_json(const std::vector<CountingLine>& lines) {
  json out = json::array();
  for (const CountingLine& l : lines) out.push_back(line_json(l));
  return out;
}

// Reads one coordinate; appends a problem when it is missing or out of range.
float coordinate(const json& line, const char* key, const std::string& where,
                 std::vector<std::string>& problems) {
  const auto it = line.find(key);
  if (it == line.end() || !it->is_number()) {
    problems.push_back(where + "." + key + ": a number is required");
    return 0;
  }
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < 0 || v > kMaxCoordinate) {
    problems.push_back(where + "." + key + ": must be between 0 and 100000 (pixels)");
  }
  return static_cast<float>(v);
}

CountingLine parse_line(const json& l, const std::string& where,
                        std::vector<std::string>& problems) {
  CountingLine line;
  if (!l.is_object()) {
    problems.push_back(where + ": must be an object");
    return line;
  }
  if (l.contains("id") && l["id"].is_string()) line.id = l["id"].get<std::string>();
  if (line.id.empty() || line.id.size() > 64) problems.push_back(where + ".id: 1 to 64 characters");
  line.start = {coordinate(l, "x1", where, problems), coordinate(l, "y1", where, problems)};
  line.end = {coordinate(l, "x2", where, problems), coordinate(l, "y2", where, problems)};
  const std::string side = l.value("in_side", std::string("right"));
  if (side != "left" && side != "right") problems.push_back(where + ".in_side: left or right");
  line.in_side = side == "left" ? LineSide::kLeft : LineSide::kRight;
  const auto infinite = l.find("infinite");
  if (infinite != l.end() && !infinite->is_boolean()) {
    problems.push_back(where + ".infinite: true or false");
  } else if (infinite != l.end()) {
    line.infinite = infinite->get<bool>();
  }
  if (line.start.x == line.end.x && line.start.y == line.end.y) {
    problems.push_back(where + ": the two points must differ");
  }
  return line;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : "; ") + s;
  return out;
}

json camera_item(const CameraStatus& c, const SnapshotAnalyzer* snapshots) {
  return {{"camera_id", c.camera_id},
          {"width", c.width},
          {"height", c.height},
          {"lines", lines_json(c.lines)},
          {"occupancy", c.counts.occupancy},
          {"entries", c.counts.entries},
          {"exits", c.counts.exits},
          {"frames", c.frames},
          {"last_frame_time", c.frames > 0 ? json(iso8601_utc(c.last_frame_time)) : json(nullptr)},
          {"has_snapshot", snapshots != nullptr && snapshots->has_snapshot(c.camera_id)}};
}

void handle_stream(const LiveServices& live, httplib::Response& res) {
  auto subscriber = live.events->subscribe();
  if (!subscriber) {
    return send_error(res, make_error(ErrorCode::kOverloaded,
                                      "too many live streams open; close a dashboard tab"));
  }
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");  // nginx: pass events through as they come
  auto last_write = std::make_shared<Clock::time_point>(Clock::now());
  const auto keep_alive = live.keep_alive;
  res.set_chunked_content_provider(
      "text/event-stream",
      [subscriber, last_write, keep_alive, first = std::make_shared<bool>(true)](
          size_t, httplib::DataSink& sink) {
        if (*first) {
          // Tells the browser how long to wait before reconnecting, and flushes the headers.
          *first = false;
          const std::string hello = "retry: 3000\n: connected\n\n";
          return sink.write(hello.data(), hello.size());
        }
        auto events = subscriber->wait(kWaitSlice);
        if (!events) {
          sink.done();  // the server is stopping
          return true;
        }
        std::string out;
        for (const LiveEvent& e : *events) out += format_sse(e);
        if (out.empty() && Clock::now() - *last_write >= keep_alive) out = ": keep-alive\n\n";
        if (out.empty()) return true;  // a gone client shows at the next write
        *last_write = Clock::now();
        return sink.write(out.data(), out.size());
      },
      [subscriber](bool) { /* releasing the last reference unsubscribes */ });
}

void handle_cameras(Pipeline& pipeline, const LiveServices* live, httplib::Response& res) {
  json items = json::array();
  const SnapshotAnalyzer* snapshots = live != nullptr ? live->snapshots : nullptr;
  for (const CameraStatus& c : pipeline.cameras()) items.push_back(camera_item(c, snapshots));
  const auto total = static_cast<int64_t>(items.size());
  send_json(res, {{"success", true},
                  {"total", total},
                  {"limit", total},
                  {"offset", 0},
                  {"items", std::move(items)}});
}

void handle_put_lines(Pipeline& pipeline, const LiveServices* live, const httplib::Request& req,
                      httplib::Response& res) {
  if (live == nullptr || live->camera_store == nullptr) {
    return send_error(res, make_error(ErrorCode::kUnavailable, "camera lines are not stored"));
  }
  const std::string camera_id = req.matches[1];
  auto body = json_body(req);
  if (!body) return send_error(res, body.error());
  auto lines = parse_lines(*body);
  if (!lines) return send_error(res, lines.error());
  // The pipeline checks the camera (locked cameras: 404) and takes the lines first; when they
  // cannot be saved it goes back to the lines it had, so what counts is always what is stored.
  const auto previous = pipeline.lines(camera_id);
  if (auto st = pipeline.set_lines(camera_id, *lines); !st) return send_error(res, st.error());
  const auto now = std::chrono::system_clock::now();
  if (auto st = live->camera_store->save_lines(camera_id, to_saved_lines(*lines), now); !st) {
    if (previous) (void)pipeline.set_lines(camera_id, *previous);
    return send_error(res, st.error());
  }
  send_json(res, {{"success", true}, {"camera_id", camera_id}, {"lines", lines_json(*lines)}});
}

void handle_snapshot(Pipeline& pipeline, const LiveServices* live, const httplib::Request& req,
                     httplib::Response& res) {
  if (live == nullptr || live->snapshots == nullptr) {
    return send_error(res, make_error(ErrorCode::kUnavailable, "snapshots are off"));
  }
  const std::string camera_id = req.matches[1];
  auto lines = pipeline.lines(camera_id);
  if (!lines) return send_error(res, lines.error());
  // ?lines=0: without the lines, for the dashboard's editor, which draws them itself.
  const bool draw_lines = req.get_param_value("lines") != "0";
  auto jpeg = live->snapshots->jpeg(camera_id, draw_lines ? *lines : std::vector<CountingLine>{});
  if (!jpeg) return send_error(res, jpeg.error());
  res.set_header("Cache-Control", "no-store");
  res.set_content(std::string(jpeg->begin(), jpeg->end()), "image/jpeg");
}

}  // namespace

std::vector<CountingLine> to_counting_lines(const std::vector<store::SavedLine>& saved) {
  std::vector<CountingLine> out;
  for (const store::SavedLine& s : saved) {
    out.push_back({s.id,
                   {static_cast<float>(s.x1), static_cast<float>(s.y1)},
                   {static_cast<float>(s.x2), static_cast<float>(s.y2)},
                   s.in_left ? LineSide::kLeft : LineSide::kRight,
                   s.infinite});
  }
  return out;
}

std::vector<store::SavedLine> to_saved_lines(const std::vector<CountingLine>& lines) {
  std::vector<store::SavedLine> out;
  for (const CountingLine& l : lines) {
    out.push_back(
        {l.id, l.start.x, l.start.y, l.end.x, l.end.y, l.in_side == LineSide::kLeft, l.infinite});
  }
  return out;
}

Expected<std::vector<CountingLine>> parse_lines(const json& body) {
  const auto it = body.find("lines");
  if (it == body.end() || !it->is_array() || it->empty() || it->size() > kMaxLines) {
    return make_error(ErrorCode::kInvalidArgument,
                      "lines: a list of 1 to " + std::to_string(kMaxLines) + " lines is required");
  }
  std::vector<std::string> problems;
  std::vector<CountingLine> lines;
  std::set<std::string> ids;
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string where = "lines[" + std::to_string(i) + "]";
    lines.push_back(parse_line((*it)[i], where, problems));
    if (!lines.back().id.empty() && !ids.insert(lines.back().id).second) {
      problems.push_back(where + ".id: duplicate '" + lines.back().id + "'");
    }
  }
  if (!problems.empty()) return make_error(ErrorCode::kInvalidArgument, join(problems));
  return lines;
}

void add_stream_routes(httplib::Server& http, Pipeline& pipeline, const LiveServices* live) {
  http.Get("/api/stream", [live](const httplib::Request&, httplib::Response& res) {
    if (live == nullptr || live->events == nullptr) {
      return send_error(res, make_error(ErrorCode::kUnavailable, "the live stream is off"));
    }
    handle_stream(*live, res);
  });
  http.Get("/api/cameras", [&pipeline, live](const httplib::Request&, httplib::Response& res) {
    handle_cameras(pipeline, live, res);
  });
  http.Put(R"(/api/cameras/([^/]+)/lines)",
           [&pipeline, live](const httplib::Request& req, httplib::Response& res) {
             handle_put_lines(pipeline, live, req, res);
           });
  http.Get(R"(/api/cameras/([^/]+)/snapshot)",
           [&pipeline, live](const httplib::Request& req, httplib::Response& res) {
             handle_snapshot(pipeline, live, req, res);
           });
}

}  // namespace fai::api
