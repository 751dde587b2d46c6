#include "store/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "store/spool_file.h"

namespace fai {
namespace {

using spool_file::io_error;
using spool_file::replace_file;

std::string to_line(const CrossingRow& row) {
  const nlohmann::json j = {{"camera_id", row.camera_id},
                            {"line_id", row.line_id},
                            {"track_id", row.track_id},
                            {"class_id", row.class_id},
                            {"direction", row.direction == CrossingDirection::kIn ? "in" : "out"},
                            {"time_ms", epoch_ms(row.time)},
                            {"event_key", row.event_key}};
  return j.dump() + "\n";
}

std::optional<CrossingRow> from_line(const std::string& line) {
  const auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  try {
    CrossingRow row;
    row.camera_id = j.at("camera_id").get<std::string>();
    row.line_id = j.at("line_id").get<std::string>();
    row.track_id = j.at("track_id").get<int64_t>();
    row.class_id = j.at("class_id").get<int>();
    row.direction = j.at("direction") == "in" ? CrossingDirection::kIn : CrossingDirection::kOut;
    row.time = from_epoch_ms(j.at("time_ms").get<long long>());
    row.event_key = j.at("event_key").get<std::string>();
    return row;
  } catch (const nlohmann::json::exception&) {  // a line another version wrote: skip it
    return std::nullopt;
  }
}

}  // namespace

Expected<CrossingSpool::Opened> CrossingSpool::open(const std::string& path,
                                                    uint64_t compact_bytes) {
  Opened opened;
  std::vector<uint64_t> line_bytes;
  auto fd = spool_file::open_for_append(
      path,
      [&](const std::string& line) {
        auto row = from_line(line);
        if (row) opened.pending.push_back(std::move(*row));
        return row.has_value();
      },
      line_bytes);
  if (!fd) return fd.error();
  opened.spool.reset(new CrossingSpool(path, *fd, compact_bytes,
                                       std::deque<uint64_t>(line_bytes.begin(), line_bytes.end())));
  return opened;
}

CrossingSpool::CrossingSpool(std::string path, int fd, uint64_t compact_bytes,
                             std::deque<uint64_t> line_bytes)
    : path_(std::move(path)),
      fd_(fd),
      compact_bytes_(compact_bytes),
      pending_line_bytes_(std::move(line_bytes)) {
  for (const uint64_t n : pending_line_bytes_) file_bytes_ += n;
}

CrossingSpool::~CrossingSpool() {
  ::close(fd_);
}

Status CrossingSpool::append(const CrossingRow& row) {
  const std::string line = to_line(row);
  std::lock_guard lock(mutex_);
  if (Status st = spool_file::append_line(fd_, line, file_bytes_, path_); !st.ok()) return st;
  pending_line_bytes_.push_back(line.size());
  file_bytes_ += line.size();
  return {};
}

Status CrossingSpool::mark_committed(size_t rows) {
  std::lock_guard lock(mutex_);
  FAI_CHECK(rows <= pending_line_bytes_.size());
  for (size_t i = 0; i < rows; ++i) {
    committed_prefix_bytes_ += pending_line_bytes_.front();
    pending_line_bytes_.pop_front();
  }
  if (pending_line_bytes_.empty()) {
    // No sync needed: if the truncation is lost in a crash, replaying committed rows is a no-op.
    if (::ftruncate(fd_, 0) != 0) return io_error("truncate", path_);
    committed_prefix_bytes_ = file_bytes_ = 0;
    return {};
  }
  return committed_prefix_bytes_ >= compact_bytes_ ? compact() : Status{};
}

Status CrossingSpool::compact() {
  std::string rest(file_bytes_ - committed_prefix_bytes_, '\0');
  if (::pread(fd_, rest.data(), rest.size(), static_cast<off_t>(committed_prefix_bytes_)) !=
      static_cast<ssize_t>(rest.size())) {
    return io_error("read", path_);
  }
  if (Status st = replace_file(path_, rest); !st.ok()) return st;
  const int fd = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) return io_error("reopen", path_);
  ::close(fd_);
  fd_ = fd;
  file_bytes_ = rest.size();
  committed_prefix_bytes_ = 0;
  return {};
}

size_t CrossingSpool::pending_rows() const {
  std::lock_guard lock(mutex_);
  return pending_line_bytes_.size();
}

uint64_t CrossingSpool::file_bytes() const {
  std::lock_guard lock(mutex_);
  return file_bytes_;
}

}  // namespace fai
