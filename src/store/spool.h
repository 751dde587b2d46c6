#pragma once
// Crash durability for the crossing ledger: an append-only JSON-lines file holding every
// crossing that was accepted but is not known to be committed yet.

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/expected.h"
#include "store/store.h"

namespace fai {

// append() returns only after the line is on disk (fdatasync), so an accepted crossing
// survives kill -9. Rows are committed oldest first; mark_committed() empties the file once
// nothing is pending and rewrites it without the committed prefix once that prefix exceeds
// compact_bytes. Replayed rows may already be in the database: inserts are idempotent by
// event_key. Thread-safe.
class CrossingSpool {
 public:
  struct Opened {
    std::unique_ptr<CrossingSpool> spool;
    std::vector<CrossingRow> pending;  // found on disk, oldest first: enqueue them again
  };
  // Creates the file when absent; drops a torn last line (its append never returned).
  static Expected<Opened> open(const std::string& path, uint64_t compact_bytes);
  ~CrossingSpool();
  CrossingSpool(const CrossingSpool&) = delete;
  CrossingSpool& operator=(const CrossingSpool&) = delete;

  Status append(const CrossingRow& row);
  Status mark_committed(size_t rows);
  size_t pending_rows() const;
  uint64_t file_bytes() const;

 private:
  CrossingSpool(std::string path, int fd, uint64_t compact_bytes, std::deque<uint64_t> line_bytes);
  Status compact();

  std::string path_;
  int fd_ = -1;
  uint64_t compact_bytes_;
  mutable std::mutex mutex_;
  std::deque<uint64_t> pending_line_bytes_;  // one entry per uncommitted line, oldest first
  uint64_t committed_prefix_bytes_ = 0;
  uint64_t file_bytes_ = 0;
};

}  // namespace fai
