#include "store/id_blocks.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace fai {
namespace {

Error io_error(const std::string& what, const std::string& path) {
  return make_error(ErrorCode::kUnavailable, what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

IdBlocks::IdBlocks(std::string path, int64_t next_id, int64_t block_size)
    : path_(std::move(path)),
      block_size_(block_size),
      next_id_(next_id),
      reserved_end_(next_id - 1) {}

IdBlocks::~IdBlocks() {
  (void)close();
}

Expected<std::unique_ptr<IdBlocks>> IdBlocks::open(const std::string& path, int64_t at_least,
                                                   int64_t block_size) {
  FAI_CHECK(block_size > 0);
  int64_t recorded = 0;
  std::ifstream in(path);
  if (in && !(in >> recorded)) {
    return make_error(ErrorCode::kCorrupt, path + ": not an id high-water mark");
  }
  return std::unique_ptr<IdBlocks>(
      new IdBlocks(path, std::max(at_least, recorded + 1), block_size));
}

// Writes a temporary file, syncs it and renames it over the old one: a crash leaves either
// the old mark or the new one, never a torn file.
Status IdBlocks::record(int64_t last_id) const {
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return io_error("cannot create", tmp);
  const std::string text = std::to_string(last_id) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = written && ::fdatasync(fd) == 0;
  ::close(fd);
  if (!synced) return io_error("cannot write", tmp);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) return io_error("cannot rename to", path_);
  return {};
}

Expected<int64_t> IdBlocks::next() {
  std::lock_guard lock(mutex_);
  if (next_id_ > reserved_end_) {
    const int64_t end = next_id_ + block_size_ - 1;
    if (auto st = record(end); !st) return st.error();
    reserved_end_ = end;
  }
  return next_id_++;
}

Status IdBlocks::close() {
  std::lock_guard lock(mutex_);
  if (auto st = record(next_id_ - 1); !st) return st;
  reserved_end_ = next_id_ - 1;
  return {};
}

}  // namespace fai
