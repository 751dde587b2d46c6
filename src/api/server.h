#pragma once
// The HTTP API: thin routes over the pipeline and the store. Routes decode and validate input,
// call one module, and shape JSON; every error goes through api::send_error.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "config/config.h"
#include "pipeline/pipeline.h"
#include "store/store.h"
#include "store/vehicle_store.h"
#include "store/write_behind.h"

namespace fai::api {
struct LiveServices;
class EmployeeService;
}  // namespace fai::api

namespace fai::api {

struct ServiceInfo {
  std::string version;
  std::string backends;                                     // inference library versions
  std::string store_backend;                                // "sqlite" | "postgresql"
  std::vector<std::pair<std::string, std::string>> models;  // name -> backend in use
};

// What the routes work on. The domain services beyond the seed's (employees, vehicles, ...) are
// added here by the serve command; their route modules register in ApiServer::add_routes().
struct ApiContext {
  const Config& config;
  Pipeline& pipeline;
  Store& store;
  WriteBehindQueue& writer;
  ServiceInfo info;
  // Extra sections of /api/diagnostic (e.g. "recognition": cache and AWS metering), computed
  // per request.
  std::vector<std::pair<std::string, std::function<nlohmann::json()>>> diagnostic_sections;
  const LiveServices* live = nullptr;    // /api/stream, /api/cameras (routes_stream.h)
  VehicleStore* vehicles = nullptr;      // /api/vehicles, /api/vehicle-logs (routes_vehicles.h)
  EmployeeService* employees = nullptr;  // /api/employees, /api/attendance (routes_employees.h)
};

// Serves /api/* (and the dashboard's static files when server.static_dir exists).
// bind() fails fast on a taken port; run() blocks until stop() (from any thread).
class ApiServer {
 public:
  explicit ApiServer(ApiContext context);
  Status bind();
  void run();
  void stop();
  int port() const { return port_; }

 private:
  void add_routes();
  void handle_process(const httplib::Request& req, httplib::Response& res);
  void handle_health(httplib::Response& res);
  void handle_diagnostic(httplib::Response& res);
  void handle_occupancy(httplib::Response& res);
  void handle_history(const httplib::Request& req, httplib::Response& res);
  void handle_crossings(const httplib::Request& req, httplib::Response& res);
  void handle_metrics(const httplib::Request& req, httplib::Response& res);

  ApiContext ctx_;
  const Config& config_;
  Pipeline& pipeline_;
  Store& store_;
  WriteBehindQueue& writer_;
  const ServiceInfo& info_;
  httplib::Server http_;
  int port_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace fai::api
