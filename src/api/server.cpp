#include "api/server.h"

#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "api/dto.h"
#include "api/errors.h"
#include "api/frame_request.h"

namespace fai::api {
namespace {

using nlohmann::json;

void send_json(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

Expected<int64_t> int_param(const httplib::Request& req, const char* name, int64_t fallback,
                            int64_t min, int64_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  try {
    size_t used = 0;
    const int64_t v = std::stoll(text, &used);
    if (used == text.size() && v >= min && v <= max) return v;
  } catch (const std::exception&) {
  }
  return make_error(ErrorCode::kInvalidArgument,
                    std::string("'") + name + "' must be an integer in " + std::to_string(min) +
                        ".." + std::to_string(max));
}

Expected<std::optional<SystemTime>> time_param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::optional<SystemTime>{};
  auto t = parse_iso8601(req.get_param_value(name));
  if (!t) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("'") + name + "' is not ISO-8601 (e.g. 2026-01-31T08:00:00Z)");
  }
  return std::optional<SystemTime>{*t};
}

// ?camera_id=&from=&to=&limit=&offset= shared by the paged time-series reads.
Expected<RangeQuery> range_query(const httplib::Request& req) {
  RangeQuery q;
  q.camera_id = req.get_param_value("camera_id");
  auto from = time_param(req, "from");
  if (!from) return from.error();
  auto to = time_param(req, "to");
  if (!to) return to.error();
  auto limit = int_param(req, "limit", 100, 1, 1000);
  if (!limit) return limit.error();
  auto offset = int_param(req, "offset", 0, 0, std::numeric_limits<int32_t>::max());
  if (!offset) return offset.error();
  q.from = *from;
  q.to = *to;
  q.limit = *limit;
  q.offset = *offset;
  return q;
}

template <class Row, class ToJson>
void send_page(httplib::Response& res, const RangeQuery& q, const Expected<Page<Row>>& page,
               ToJson to_json, json extra = json::object()) {
  if (!page) return send_error(res, page.error());
  json items = json::array();
  for (const Row& r : page->rows) items.push_back(to_json(r));
  json body = {{"success", true},
               {"total", page->total},
               {"limit", q.limit},
               {"offset", q.offset},
               {"items", std::move(items)}};
  body.update(extra);
  send_json(res, body);
}

json store_stats_json(const WriteBehindStats& s) {
  return {{"queued_rows", s.queued_rows},
          {"committed_rows", s.committed_rows},
          {"committed_batches", s.committed_batches},
          {"failed_commits", s.failed_commits},
          {"rejected_rows", s.rejected_rows},
          {"replayed_rows", s.replayed_rows},
          {"spool_rows", s.spool_rows},
          {"last_error", s.last_error}};
}

}  // namespace

ApiServer::ApiServer(const Config& config, Pipeline& pipeline, Store& store,
                     WriteBehindQueue& writer, ServiceInfo info)
    : config_(config), pipeline_(pipeline), store_(store), writer_(writer), info_(std::move(info)) {
  http_.set_payload_max_length(static_cast<size_t>(config.server.max_body_bytes));
  http_.new_task_queue = [n = config.server.http_threads] {
    return new httplib::ThreadPool(static_cast<size_t>(n));
  };
  // Errors raised inside httplib (413 body too large, 404 no route, 400 unparsable request)
  // get the same JSON body as ours; responses that already carry one pass through.
  http_.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const ErrorCode code = res.status == 413   ? ErrorCode::kTooLarge
                               : res.status == 404 ? ErrorCode::kNotFound
                                                   : ErrorCode::kInvalidArgument;
        const std::string message = res.status == 413   ? "request body is over the size limit"
                                    : res.status == 404 ? "no such endpoint"
                                                        : "malformed HTTP request";
        const int status = res.status;
        send_error(res, make_error(code, message));
        res.status = status;
        return httplib::Server::HandlerResponse::Handled;
      }));
  http_.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unexpected error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("request failed: {}", what);
        send_error(res, make_error(ErrorCode::kInternal, what));
      });
  add_routes();
  if (std::filesystem::is_directory(config.server.static_dir)) {
    http_.set_mount_point("/", config.server.static_dir);
  }
}

void ApiServer::add_routes() {
  http_.Post("/api/process", [this](const auto& req, auto& res) { handle_process(req, res); });
  http_.Get("/api/health", [this](const auto&, auto& res) { handle_health(res); });
  http_.Get("/api/diagnostic", [this](const auto&, auto& res) { handle_diagnostic(res); });
  http_.Get("/api/occupancy", [this](const auto&, auto& res) { handle_occupancy(res); });
  http_.Get("/api/occupancy/history",
            [this](const auto& req, auto& res) { handle_history(req, res); });
  http_.Get("/api/crossings", [this](const auto& req, auto& res) { handle_crossings(req, res); });
  http_.Get("/api/metrics", [this](const auto& req, auto& res) { handle_metrics(req, res); });
}

Status ApiServer::bind() {
  if (config_.server.port == 0) {
    port_ = http_.bind_to_any_port(config_.server.host);
  } else if (http_.bind_to_port(config_.server.host, config_.server.port)) {
    port_ = config_.server.port;
  }
  if (port_ <= 0) {
    return make_error(ErrorCode::kUnavailable, "cannot listen on " + config_.server.host + ":" +
                                                   std::to_string(config_.server.port) +
                                                   " (in use?)");
  }
  return {};
}

void ApiServer::run() {
  http_.listen_after_bind();
}

void ApiServer::stop() {
  http_.stop();
}

void ApiServer::handle_process(const httplib::Request& req, httplib::Response& res) {
  ImageLimits limits{config_.images.max_width, config_.images.max_height};
  auto job = parse_frame_request(req, limits);
  if (!job) return send_error(res, job.error());
  auto future = pipeline_.submit(std::move(*job));
  if (!future) return send_error(res, future.error());
  const auto timeout = std::chrono::milliseconds(config_.server.request_timeout_ms);
  if (future->wait_for(timeout) != std::future_status::ready) {
    return send_error(
        res, make_error(ErrorCode::kOverloaded, "frame accepted but not processed within " +
                                                    std::to_string(timeout.count()) + " ms"));
  }
  auto outcome = future->get();
  if (!outcome) return send_error(res, outcome.error());
  send_json(res, process_response(*outcome));
}

void ApiServer::handle_health(httplib::Response& res) {
  auto version = store_.schema_version();
  const bool db_ok = version.ok();
  json body = {{"success", db_ok},
               {"status", db_ok ? "ok" : "degraded"},
               {"live", true},
               {"ready", db_ok},
               {"models_loaded", !info_.models.empty()},
               {"database", db_ok ? "ok" : version.error().message}};
  send_json(res, body, db_ok ? 200 : 503);
}

void ApiServer::handle_diagnostic(httplib::Response& res) {
  const PipelineStats stats = pipeline_.stats();
  json stages = json::object();
  for (const auto& [stage, s] : stats.stage_ms) stages[stage] = latency_json(s);
  json models = json::array();
  for (const auto& [name, backend] : info_.models)
    models.push_back({{"name", name}, {"backend", backend}});
  json cameras = json::array();
  for (const auto& c : pipeline_.cameras()) cameras.push_back(camera_json(c));
  const double uptime_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  send_json(res,
            {{"success", true},
             {"version", info_.version},
             {"uptime_s", std::round(uptime_s)},
             {"models", models},
             {"database",
              {{"backend", info_.store_backend}, {"writer", store_stats_json(writer_.stats())}}},
             {"config",
              {{"port", config_.server.port},
               {"workers", config_.pipeline.workers},
               {"queue_per_camera", config_.pipeline.queue_per_camera},
               {"inference_threads", config_.inference.threads},
               {"detector", config_.detector.type},
               {"cameras_locked", config_.cameras_locked}}},
             {"counters",
              {{"frames_processed", stats.frames_processed},
               {"frames_rejected", stats.frames_rejected},
               {"frames_failed", stats.frames_failed},
               {"rows_refused", stats.rows_refused}}},
             {"stage_ms", stages},
             {"cache", {{"hits", 0}, {"misses", 0}, {"hit_rate", nullptr}}},
             {"cameras", cameras}});
}

void ApiServer::handle_occupancy(httplib::Response& res) {
  json cameras = json::array();
  OccupancyCounts site;
  for (const auto& c : pipeline_.cameras()) {
    site.occupancy += c.counts.occupancy;
    site.entries += c.counts.entries;
    site.exits += c.counts.exits;
    cameras.push_back(camera_json(c));
  }
  send_json(
      res,
      {{"success", true},
       {"timestamp", iso8601_utc(std::chrono::system_clock::now())},
       {"site", {{"occupancy", site.occupancy}, {"entries", site.entries}, {"exits", site.exits}}},
       {"cameras", cameras}});
}

void ApiServer::handle_history(const httplib::Request& req, httplib::Response& res) {
  auto q = range_query(req);
  if (!q) return send_error(res, q.error());
  send_page(res, *q, store_.occupancy(*q), snapshot_json);
}

void ApiServer::handle_crossings(const httplib::Request& req, httplib::Response& res) {
  auto q = range_query(req);
  if (!q) return send_error(res, q.error());
  send_page(res, *q, store_.crossings(*q), crossing_json);
}

void ApiServer::handle_metrics(const httplib::Request& req, httplib::Response& res) {
  auto q = range_query(req);
  if (!q) return send_error(res, q.error());
  auto summary = store_.metrics_summary(*q);
  if (!summary) return send_error(res, summary.error());
  send_page(res, *q, store_.metrics(*q), metric_json,
            {{"summary",
              {{"count", summary->count},
               {"mean_processing_ms", summary->mean_processing_ms},
               {"median_processing_ms", summary->median_processing_ms}}}});
}

}  // namespace fai::api
