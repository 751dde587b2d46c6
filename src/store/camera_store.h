#pragma once
// The counting lines saved from the dashboard (PUT /api/cameras/{id}/lines), per camera. They
// override the config's lines of that camera at start-up. Thread-safe.

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/expected.h"
#include "store/store.h"

namespace fai::store {

class Database;

struct SavedLine {
  std::string id;
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;  // source pixels
  bool in_left = false;                   // in side, seen walking from (x1,y1) to (x2,y2)
  bool infinite = false;
};

struct CameraLines {
  std::string camera_id;
  std::vector<SavedLine> lines;  // never empty
  SystemTime updated_at;
};

class CameraStore {
 public:
  // Opens its own connections; the schema must be migrated (open_store()).
  static Expected<std::unique_ptr<CameraStore>> open(const StoreConfig& config);
  ~CameraStore();

  // Replaces the camera's saved lines (kInvalidArgument when `lines` is empty).
  Status save_lines(const std::string& camera_id, const std::vector<SavedLine>& lines,
                    SystemTime now);
  // Every camera with saved lines, by camera id.
  Expected<std::vector<CameraLines>> all_lines();

 private:
  explicit CameraStore(std::unique_ptr<Database> db);
  std::unique_ptr<Database> db_;
};

}  // namespace fai::store
