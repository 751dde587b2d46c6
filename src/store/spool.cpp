#include "store/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "store/spool_file.h"

namespace fai {
namespace {

using spool_file::io_error;
using spool_file::read_file;
using spool_file::replace_file;
using spool_file::write_all;

long long to_ms(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string to_line(const CrossingRow& row) {
  const nlohmann::json j = {{"camera_id", row.camera_id},
                            {"line_id", row.line_id},
                            {"track_id", row.track_id},
                            {"class_id", row.class_id},
                            {"direction", row.direction == CrossingDirection::kIn ? "in" : "out"},
                            {"time_ms", to_ms(row.time)},
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
    row.time = SystemTime(std::chrono::milliseconds(j.at("time_ms").get<long long>()));
    row.event_key = j.at("event_key").get<std::string>();
    return row;
  } catch (const nlohmann::json::exception&) {  // a line another version wrote: skip it
    return std::nullopt;
  }
}

}  // namespace

Expected<CrossingSpool::Opened> CrossingSpool::open(const std::string& path,
                                                    uint64_t compact_bytes) {
  const std::string content = read_file(path);
  Opened opened;
  std::string clean;  // complete, parseable lines only
  std::deque<uint64_t> line_bytes;
  for (size_t start = 0, end; (end = content.find('\n', start)) != std::string::npos;
       start = end + 1) {
    const std::string line = content.substr(start, end - start);
    if (auto row = from_line(line)) {
      clean += line + "\n";
      line_bytes.push_back(line.size() + 1);
      opened.pending.push_back(std::move(*row));
    }
  }
  if (clean != content) {
    if (Status st = replace_file(path, clean); !st.ok()) return st.error();
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("open", path);
  opened.spool.reset(new CrossingSpool(path, fd, compact_bytes, std::move(line_bytes)));
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
  if (Status st = write_all(fd_, line, path_); !st.ok()) {
    // A partial line would glue onto the next append: cut the file back to its known length.
    if (::ftruncate(fd_, static_cast<off_t>(file_bytes_)) != 0) return io_error("truncate", path_);
    return st;
  }
  if (::fdatasync(fd_) != 0) return io_error("sync", path_);
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
