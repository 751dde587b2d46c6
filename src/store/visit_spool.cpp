#include "store/visit_spool.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "store/spool_file.h"

namespace fai {
namespace {

using nlohmann::json;

json optional_ms(const std::optional<SystemTime>& t) {
  if (!t) return nullptr;
  return epoch_ms(*t);
}

std::optional<SystemTime> time_of(const json& j) {
  if (j.is_null()) return std::nullopt;
  return from_epoch_ms(j.get<long long>());
}

std::string to_line(const VehicleVisit& v) {
  const json j = {{"visit_key", v.visit_key},
                  {"camera_id", v.camera_id},
                  {"track_id", v.track_id},
                  {"plate_number", v.plate_number},
                  {"vehicle_type", v.vehicle_type},
                  {"entry_ms", optional_ms(v.entry_time)},
                  {"exit_ms", optional_ms(v.exit_time)},
                  {"ocr_confidence", v.ocr_confidence},
                  {"status", v.status},
                  {"matched_plate", v.matched_plate},
                  {"last_seen_ms", optional_ms(v.last_seen)},
                  {"closed_reason", v.closed_reason}};
  return j.dump() + "\n";
}

std::optional<VehicleVisit> from_line(const std::string& line) {
  const auto j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  try {
    VehicleVisit v;
    v.visit_key = j.at("visit_key").get<std::string>();
    v.camera_id = j.at("camera_id").get<std::string>();
    v.track_id = j.at("track_id").get<int64_t>();
    v.plate_number = j.at("plate_number").get<std::string>();
    v.vehicle_type = j.at("vehicle_type").get<std::string>();
    v.entry_time = time_of(j.at("entry_ms"));
    v.exit_time = time_of(j.at("exit_ms"));
    v.ocr_confidence = j.at("ocr_confidence").get<float>();
    v.status = j.at("status").get<std::string>();
    v.matched_plate = j.at("matched_plate").get<std::string>();
    v.last_seen = time_of(j.value("last_seen_ms", json()));
    v.closed_reason = j.value("closed_reason", "");
    if (v.visit_key.empty()) return std::nullopt;
    return v;
  } catch (const json::exception&) {  // not a visit line: skip it
    return std::nullopt;
  }
}

}  // namespace

Expected<VisitSpool::Opened> VisitSpool::open(const std::string& path) {
  Opened opened;
  std::vector<uint64_t> line_bytes;
  auto fd = spool_file::open_for_append(
      path,
      [&](const std::string& line) {
        auto visit = from_line(line);
        if (visit) opened.pending.push_back(std::move(*visit));
        return visit.has_value();
      },
      line_bytes);
  if (!fd) return fd.error();
  uint64_t file_bytes = 0;
  for (const uint64_t n : line_bytes) file_bytes += n;
  opened.spool.reset(new VisitSpool(path, *fd, file_bytes));
  return opened;
}

VisitSpool::VisitSpool(std::string path, int fd, uint64_t file_bytes)
    : path_(std::move(path)), fd_(fd), file_bytes_(file_bytes) {}

VisitSpool::~VisitSpool() {
  ::close(fd_);
}

Status VisitSpool::append(const VehicleVisit& visit) {
  const std::string line = to_line(visit);
  if (Status st = spool_file::append_line(fd_, line, file_bytes_, path_); !st.ok()) return st;
  file_bytes_ += line.size();
  return {};
}

Status VisitSpool::clear() {
  if (file_bytes_ == 0) return {};
  // No sync needed: if the truncation is lost in a crash, replaying written visits is a no-op.
  if (::ftruncate(fd_, 0) != 0) return spool_file::io_error("truncate", path_);
  file_bytes_ = 0;
  return {};
}

}  // namespace fai
