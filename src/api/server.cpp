#include "api/server.h"

#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "api/dto.h"
#include "api/errors.h"
#include "api/frame_request.h"
#include "api/http_util.h"
#include "api/routes_employees.h"
#include "api/routes_stream.h"
#include "api/routes_vehicles.h"
#include "api/spa_fallback.h"

namespace fai::api {
namespace {

using nlohmann::json;

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

ApiServer::ApiServer(ApiContext context)
    : ctx_(std::move(context)),
      config_(ctx_.config),
      pipeline_(ctx_.pipeline),
      store_(ctx_.store),
      writer_(ctx_.writer),
      info_(ctx_.info) {
  const Config& config = config_;
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
    add_spa_fallback(http_, config.server.static_dir);
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
  add_stream_routes(http_, pipeline_, ctx_.live);
  add_vehicle_routes(http_, ctx_.vehicles);
  add_employee_routes(http_, ctx_.employees);
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
  json body = {{"success", true},
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
               {"cameras", cameras}};
  body["counters"]["analyzer_errors"] = stats.analyzer_errors;
  for (const auto& [name, section] : ctx_.diagnostic_sections) body[name] = section();
  send_json(res, body);
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
