#include "store/camera_store.h"

#include "store/sql_common.h"

namespace fai::store {

CameraStore::CameraStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}
CameraStore::~CameraStore() = default;

Expected<std::unique_ptr<CameraStore>> CameraStore::open(const StoreConfig& config) {
  auto db = Database::open(config);
  if (!db) return db.error();
  return std::unique_ptr<CameraStore>(new CameraStore(std::move(*db)));
}

Status CameraStore::save_lines(const std::string& camera_id, const std::vector<SavedLine>& lines,
                               SystemTime now) {
  if (lines.empty()) return make_error(ErrorCode::kInvalidArgument, "no lines to save");
  const long long updated = to_ms(now);
  return db_->write([&](soci::session& s) {
    std::string camera = camera_id;
    s << "DELETE FROM camera_lines WHERE camera_id = :c", soci::use(camera);
    int position = 0;
    for (const SavedLine& l : lines) {
      std::string id = l.id;
      std::string side = l.in_left ? "left" : "right";
      double x1 = l.x1, y1 = l.y1, x2 = l.x2, y2 = l.y2;
      int infinite = l.infinite ? 1 : 0;
      s << "INSERT INTO camera_lines (camera_id, position, line_id, x1, y1, x2, y2, in_side, "
           "infinite, updated_at) VALUES (:c, :p, :id, :x1, :y1, :x2, :y2, :side, :inf, :t)",
          soci::use(camera), soci::use(position), soci::use(id), soci::use(x1), soci::use(y1),
          soci::use(x2), soci::use(y2), soci::use(side), soci::use(infinite), soci::use(updated);
      ++position;
    }
  });
}

Expected<std::vector<CameraLines>> CameraStore::all_lines() {
  std::vector<CameraLines> out;
  Status st = db_->read([&](soci::session& s) {
    std::string camera, id, side;
    double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    int infinite = 0;
    long long updated = 0;
    for_each_row(
        s,
        "SELECT camera_id, line_id, x1, y1, x2, y2, in_side, infinite, updated_at "
        "FROM camera_lines ORDER BY camera_id, position",
        [&](soci::statement& q) {
          q.exchange(soci::into(camera));
          q.exchange(soci::into(id));
          q.exchange(soci::into(x1));
          q.exchange(soci::into(y1));
          q.exchange(soci::into(x2));
          q.exchange(soci::into(y2));
          q.exchange(soci::into(side));
          q.exchange(soci::into(infinite));
          q.exchange(soci::into(updated));
        },
        [&] {
          if (out.empty() || out.back().camera_id != camera) {
            out.push_back({camera, {}, from_ms(updated)});
          }
          out.back().lines.push_back({id, x1, y1, x2, y2, side == "left", infinite != 0});
        });
  });
  if (!st) return st.error();
  return out;
}

}  // namespace fai::store
