#pragma once
// Crash durability for the visit ledger: visit writes the database refused (down, locked,
// read-only) wait in an append-only JSON-lines file until they are written, so a kill -9 during
// an outage loses none. Replaying is safe: a visit write is an upsert by visit_key.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/expected.h"
#include "store/vehicle_store.h"

namespace fai {

// append() returns only after the line is on disk (fdatasync). clear() empties the file once
// every spooled visit is in the database. Not thread-safe: its owner serializes the calls.
class VisitSpool {
 public:
  struct Opened {
    std::unique_ptr<VisitSpool> spool;
    std::vector<VehicleVisit> pending;  // found on disk, oldest first: write them again in order
  };
  // Creates the file (not its directory) when absent; drops a torn last line (its append never
  // returned) and lines it cannot read.
  static Expected<Opened> open(const std::string& path);
  ~VisitSpool();
  VisitSpool(const VisitSpool&) = delete;
  VisitSpool& operator=(const VisitSpool&) = delete;

  Status append(const VehicleVisit& visit);
  Status clear();
  uint64_t file_bytes() const { return file_bytes_; }
  const std::string& path() const { return path_; }

 private:
  VisitSpool(std::string path, int fd, uint64_t file_bytes);

  std::string path_;
  int fd_ = -1;
  uint64_t file_bytes_ = 0;
};

}  // namespace fai
