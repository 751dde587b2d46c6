// The counting lines saved from the dashboard, on this binary's backend (SQLite or PostgreSQL).

#include "store/camera_store.h"

#include "store_fixture.h"

namespace fai::test {
namespace {

using store::CameraLines;
using store::CameraStore;
using store::SavedLine;

class CameraStoreTest : public StoreFixture {
 protected:
  std::unique_ptr<CameraStore> open_cameras() {
    if (!open()) return nullptr;  // applies the migrations
    auto cameras = CameraStore::open(config());
    if (!cameras) {
      ADD_FAILURE() << cameras.error().message;
      return nullptr;
    }
    return std::move(*cameras);
  }
};

bool same(const SavedLine& a, const SavedLine& b) {
  return a.id == b.id && a.x1 == b.x1 && a.y1 == b.y1 && a.x2 == b.x2 && a.y2 == b.y2 &&
         a.in_left == b.in_left && a.infinite == b.infinite;
}

TEST_P(CameraStoreTest, SavedLinesComeBackInOrderPerCamera) {
  auto cameras = open_cameras();
  ASSERT_NE(cameras, nullptr);
  auto none = cameras->all_lines();
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->empty());

  const std::vector<SavedLine> door = {{"door", 10.5, 400, 630.25, 410, false, false},
                                       {"aisle", 0, 0, 0, 480, true, true}};
  const std::vector<SavedLine> gate = {{"gate", 100, 300, 540, 300, true, false}};
  ASSERT_TRUE(cameras->save_lines("side-door", door, at_ms(0)).ok());
  ASSERT_TRUE(cameras->save_lines("gate", gate, at_ms(5)).ok());

  auto all = cameras->all_lines();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  const CameraLines& first = (*all)[0];
  const CameraLines& second = (*all)[1];
  EXPECT_EQ(first.camera_id, "gate");
  EXPECT_EQ(first.updated_at, at_ms(5));
  ASSERT_EQ(first.lines.size(), 1u);
  EXPECT_TRUE(same(first.lines[0], gate[0]));
  EXPECT_EQ(second.camera_id, "side-door");
  ASSERT_EQ(second.lines.size(), 2u);
  EXPECT_TRUE(same(second.lines[0], door[0]));  // the order they were given in
  EXPECT_TRUE(same(second.lines[1], door[1]));
}

TEST_P(CameraStoreTest, SavingReplacesTheCamerasLinesOnly) {
  auto cameras = open_cameras();
  ASSERT_NE(cameras, nullptr);
  ASSERT_TRUE(
      cameras
          ->save_lines("a", {{"one", 0, 1, 2, 3, false, false}, {"two", 4, 5, 6, 7, false, false}},
                       at_ms(0))
          .ok());
  ASSERT_TRUE(cameras->save_lines("b", {{"keep", 1, 1, 9, 9, true, false}}, at_ms(0)).ok());
  ASSERT_TRUE(cameras->save_lines("a", {{"moved", 8, 8, 1, 1, true, true}}, at_ms(10)).ok());

  auto all = cameras->all_lines();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  ASSERT_EQ((*all)[0].lines.size(), 1u);
  EXPECT_TRUE(same((*all)[0].lines[0], {"moved", 8, 8, 1, 1, true, true}));
  EXPECT_EQ((*all)[0].updated_at, at_ms(10));
  EXPECT_EQ((*all)[1].lines[0].id, "keep");
  EXPECT_EQ(count("camera_lines"), 2);
}

TEST_P(CameraStoreTest, AnEmptyListIsRefusedAndChangesNothing) {
  auto cameras = open_cameras();
  ASSERT_NE(cameras, nullptr);
  ASSERT_TRUE(cameras->save_lines("a", {{"one", 0, 1, 2, 3, false, false}}, at_ms(0)).ok());
  const Status st = cameras->save_lines("a", {}, at_ms(1));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(count("camera_lines"), 1);
}

TEST_P(CameraStoreTest, AnUnreachableDatabaseIsUnavailableNotACrash) {
  auto cameras = open_cameras();
  ASSERT_NE(cameras, nullptr);
  db_->make_unavailable();
  const Status st = cameras->save_lines("a", {{"one", 0, 1, 2, 3, false, false}}, at_ms(0));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable) << st.error().message;
  db_->make_available();
  EXPECT_TRUE(cameras->save_lines("a", {{"one", 0, 1, 2, 3, false, false}}, at_ms(0)).ok());
}

FAI_STORE_SUITE_FOR_THIS_BACKEND(CameraStoreTest);

}  // namespace
}  // namespace fai::test
