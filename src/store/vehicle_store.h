#pragma once
// The vehicle lists (table vehicles) and the visit ledger (table vehicle_logs), in SQLite or
// PostgreSQL. Plain structs in and out, no SOCI type in this header. Open it after open_store()
// has applied the migrations.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/expected.h"
#include "core/plate_list.h"
#include "store/store.h"

namespace fai {

namespace store {
class Database;
}

// One white/black list entry; plate_number is normalised (upper-case, [A-Z0-9] only).
struct VehicleEntry {
  std::string plate_number;
  PlateList list = PlateList::kWhitelist;
  std::string vehicle_type, owner, note;
  std::optional<SystemTime> valid_from, valid_until;  // absent = open-ended
  SystemTime created_at, updated_at;
  bool active_at(SystemTime t) const;
  bool operator==(const VehicleEntry&) const = default;
};

struct VehicleListQuery {
  std::optional<PlateList> list;  // absent = both lists
  std::string q;                  // substring of plate, owner or note (case-insensitive)
  int64_t limit = 100;
  int64_t offset = 0;
};

// One visit of a vehicle. visit_key identifies it across retries, restarts and replays: a second
// write with the same key updates the row (entry_time, once set, is kept).
struct VehicleVisit {
  int64_t id = 0;  // assigned by the database
  std::string visit_key;
  std::string camera_id;
  int64_t track_id = 0;
  std::string plate_number;  // empty while unread
  std::string vehicle_type;
  std::optional<SystemTime> entry_time, exit_time;  // exit absent while inside
  float ocr_confidence = 0;
  std::string status;                   // whitelisted | blacklisted | unknown | unread
  std::string matched_plate;            // the list entry the read matched; empty when none
  std::optional<SystemTime> last_seen;  // the vehicle's last sighting written so far
  // Empty while open and when closed by its exit; "restart" or "expired" when start-up closed it
  // (PlateAnalyzer::recover): a closed visit is never paired with an exit, whatever exit_time.
  std::string closed_reason;
  bool operator==(const VehicleVisit&) const = default;
};

struct VisitQuery {
  std::string plate;   // exact normalised plate (read or matched)
  std::string status;  // empty = any
  std::string camera_id;
  std::optional<SystemTime> from, to;  // on the entry time (the exit time when entry is unknown)
  int64_t limit = 100;
  int64_t offset = 0;
};

// Thread-safe (one writer and one reader connection). Errors: kNotFound (no such plate),
// kConflict (plate listed already), kUnavailable / kInternal from the database.
class VehicleStore {
 public:
  static Expected<std::unique_ptr<VehicleStore>> open(const StoreConfig& config);
  ~VehicleStore();

  Expected<Page<VehicleEntry>> list(const VehicleListQuery& query);
  Expected<std::vector<VehicleEntry>> all_entries();
  Expected<VehicleEntry> get(const std::string& plate);
  // created_at/updated_at are set here.
  Expected<VehicleEntry> add(VehicleEntry entry);
  // Replaces the entry's fields (the plate number stays); keeps created_at.
  Expected<VehicleEntry> update(VehicleEntry entry);
  Status remove(const std::string& plate);
  // Bumped by every successful add/update/remove through this object: readers of the lists
  // (the plate analyzer) reload when it moves.
  uint64_t generation() const { return generation_.load(); }

  // Inserts the visit or updates the row with its visit_key. A write without last_seen or
  // closed_reason keeps the row's.
  Status record_visit(const VehicleVisit& visit);
  // Open visits (no exit, not closed) of `camera_id` with a plate read that entered at or after
  // `entered_since`, newest first (for pairing an exit at a gate with its entry).
  Expected<std::vector<VehicleVisit>> open_visits(const std::string& camera_id,
                                                  SystemTime entered_since, int64_t limit);
  // Every open visit, read or not, of every camera, oldest first (start-up recovery).
  Expected<std::vector<VehicleVisit>> all_open_visits();
  // The open visits, read or not, of every camera that entered before `before`, oldest first
  // (the running analyzer's sweep of expired gate entries; a partial index keeps it to the open
  // rows however long the ledger grows).
  Expected<std::vector<VehicleVisit>> open_visits_entered_before(SystemTime before);
  Expected<Page<VehicleVisit>> visits(const VisitQuery& query);

 private:
  explicit VehicleStore(std::unique_ptr<store::Database> db);
  std::unique_ptr<store::Database> db_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace fai
