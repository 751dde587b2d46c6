#pragma once
// Ids that stay unique across kill -9 without a disk write per id.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/expected.h"

namespace fai {

// Hands out increasing ids from blocks whose upper end is written to `path` (fdatasync) before
// the block's first id is used. After a crash counting resumes above the recorded end, skipping
// at most one block; close() records the last id used, so a clean restart continues without a
// gap. Thread-safe.
class IdBlocks {
 public:
  // `at_least`: the next id is never below this (e.g. the database's highest id + 1).
  static Expected<std::unique_ptr<IdBlocks>> open(const std::string& path, int64_t at_least,
                                                  int64_t block_size = 1000);
  ~IdBlocks();
  IdBlocks(const IdBlocks&) = delete;
  IdBlocks& operator=(const IdBlocks&) = delete;

  Expected<int64_t> next();
  Status close();  // records the last id used; next() may still be called afterwards

 private:
  IdBlocks(std::string path, int64_t next_id, int64_t block_size);
  Status record(int64_t last_id) const;

  const std::string path_;
  const int64_t block_size_;
  std::mutex mutex_;
  int64_t next_id_;
  int64_t reserved_end_;  // ids up to here may be used without touching the disk
};

}  // namespace fai
