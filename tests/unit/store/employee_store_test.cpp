// EmployeeStore on the backend this binary targets: CRUD, templates all-or-nothing, deletion
// that leaves nothing behind, and the attendance upsert (one row per employee and shift).

#include <gtest/gtest.h>

#include "store/employee_store.h"
#include "store_fixture.h"

namespace fai::test {
namespace {

Employee person(const std::string& id, const std::string& name, const std::string& department = "",
                const std::string& start = "", const std::string& end = "", bool consent = false) {
  Employee e;
  e.employee_id = id;
  e.name = name;
  e.department = department;
  e.shift_start = start;
  e.shift_end = end;
  e.consent = consent;
  return e;
}

class EmployeeStoreTest : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(open());  // applies the migrations
    auto s = EmployeeStore::open(config());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }

  Employee alice() { return person("E001", "Alice Smith", "Assembly", "08:00", "17:00", true); }

  FaceTemplateRecord face(float x, const std::string& aws = "") {
    FaceTemplateRecord t;
    t.embedding = {x, -x, 0.5f, 1e-7f};
    t.model = "faceres";
    t.quality = 0.9f;
    t.aws_face_id = aws;
    return t;
  }

  std::unique_ptr<EmployeeStore> store_;
};

TEST(EmbeddingText, RoundTripsExactlyAndRejectsWrongSizes) {
  const std::vector<float> v = {0.0f, -1.5f, 3.25e-9f, 1234.5f};
  auto back = decode_embedding(encode_embedding(v), 4);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, v);
  EXPECT_FALSE(decode_embedding(encode_embedding(v), 3).ok());
  EXPECT_FALSE(decode_embedding("not base64!", 4).ok());
}

TEST_P(EmployeeStoreTest, CrudRoundTrip) {
  auto added = store_->add(alice());
  ASSERT_TRUE(added.ok()) << added.error().message;
  auto again = store_->add(alice());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store_->add(person("E002", "Bob Jones")).ok());

  auto got = store_->get("E001");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, *added);
  EXPECT_EQ(store_->get("nobody").error().code, ErrorCode::kNotFound);

  EmployeeUpdate update;
  update.department = "Paint";
  update.shift_start = "22:00";
  update.shift_end = "06:00";
  auto updated = store_->update("E001", update);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->name, "Alice Smith");
  EXPECT_EQ(updated->department, "Paint");
  EXPECT_EQ(store_->get("E001")->shift_start, "22:00");
  EXPECT_EQ(store_->update("nobody", update).error().code, ErrorCode::kNotFound);

  auto page = store_->list({"", 1, 1});
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->total, 2);
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].employee_id, "E002");
  auto search = store_->list({"paint", 100, 0});
  ASSERT_TRUE(search.ok());
  ASSERT_EQ(search->rows.size(), 1u);
  EXPECT_EQ(search->rows[0].employee_id, "E001");
}

TEST_P(EmployeeStoreTest, TemplatesAreStoredCountedAndRemoved) {
  ASSERT_TRUE(store_->add(alice()).ok());
  auto added = store_->add_templates("E001", {face(0.25f, "aws-1"), face(0.5f)});
  ASSERT_TRUE(added.ok()) << added.error().message;
  ASSERT_EQ(added->size(), 2u);
  EXPECT_NE((*added)[0].face_id, (*added)[1].face_id);
  EXPECT_EQ(store_->get("E001")->templates, 2);
  EXPECT_EQ(store_->add_templates("nobody", {face(1)}).error().code, ErrorCode::kNotFound);

  auto all = store_->all_templates();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].embedding, face(0.25f).embedding) << "embeddings round-trip exactly";
  EXPECT_EQ((*all)[0].aws_face_id, "aws-1");
  EXPECT_EQ((*all)[0].employee_id, "E001");
  EXPECT_TRUE((*all)[0].photo.empty());

  auto removed = store_->remove_template("E001", (*added)[0].face_id);
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(removed->aws_face_id, "aws-1");
  EXPECT_EQ(store_->remove_template("E001", (*added)[0].face_id).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->templates_of("E001")->size(), 1u);
}

TEST_P(EmployeeStoreTest, PhotoIsKeptOnlyWhenGiven) {
  ASSERT_TRUE(store_->add(alice()).ok());
  FaceTemplateRecord with_photo = face(0.1f);
  with_photo.photo = {0xff, 0xd8, 0x00, 0x01};
  ASSERT_TRUE(store_->add_templates("E001", {with_photo, face(0.2f)}).ok());
  EXPECT_EQ(db_->scalar("SELECT COUNT(*) FROM face_templates WHERE photo IS NOT NULL"), "1");
  auto all = store_->all_templates();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)[0].photo, with_photo.photo);
}

AttendanceRecord check_in(const std::string& employee, long long offset_ms) {
  AttendanceRecord r;
  r.employee_id = employee;
  r.shift_date = "2025-11-24";
  r.check_in = at_ms(offset_ms);
  r.camera_id = "gate";
  r.confidence = 0.9f;
  r.last_seen = r.check_in;
  return r;
}

TEST_P(EmployeeStoreTest, DeletingAnEmployeeLeavesNothingBehind) {
  ASSERT_TRUE(store_->add(alice()).ok());
  ASSERT_TRUE(store_->add(person("E002", "Bob")).ok());
  ASSERT_TRUE(store_->add_templates("E001", {face(0.1f, "aws-a"), face(0.2f, "aws-b")}).ok());
  ASSERT_TRUE(store_->add_templates("E002", {face(0.3f)}).ok());
  ASSERT_TRUE(store_->save_attendance(check_in("E001", 0), at_ms(0)).ok());

  auto removed = store_->remove("E001");
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  ASSERT_EQ(removed->size(), 2u);
  EXPECT_EQ((*removed)[0].aws_face_id, "aws-a");
  EXPECT_EQ((*removed)[1].aws_face_id, "aws-b");
  EXPECT_EQ(count("employees"), 1);
  EXPECT_EQ(count("face_templates"), 1) << "only Bob's template is left";
  EXPECT_EQ(count("attendance_records"), 0);
  EXPECT_EQ(store_->remove("E001").error().code, ErrorCode::kNotFound);
}

TEST_P(EmployeeStoreTest, AttendanceIsOneRowPerShiftAndCheckInNeverMovesLater) {
  ASSERT_TRUE(store_->add(alice()).ok());
  AttendanceRecord r = check_in("E001", 0);
  ASSERT_TRUE(store_->save_attendance(r, at_ms(0)).ok());
  r.last_seen = at_ms(60'000);
  r.exit_time = at_ms(60'000);
  r.early_leave = true;
  ASSERT_TRUE(store_->save_attendance(r, at_ms(60'000)).ok());
  // A stale state (a later check-in, older sightings) replayed from another camera.
  AttendanceRecord stale = check_in("E001", 30'000);
  stale.camera_id = "door";
  ASSERT_TRUE(store_->save_attendance(stale, at_ms(61'000)).ok());
  EXPECT_EQ(count("attendance_records"), 1);

  auto page = store_->attendance({"2025-11-24", "E001", 100, 0});
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->rows.size(), 1u);
  const AttendanceRecord& got = page->rows[0].record;
  EXPECT_EQ(got.check_in, at_ms(0));
  EXPECT_EQ(got.camera_id, "gate");
  EXPECT_EQ(got.last_seen, at_ms(60'000)) << "an older last sighting does not overwrite";
  EXPECT_EQ(got.exit_time, at_ms(60'000));
  EXPECT_EQ(got.check_out_source(), "exit_line");
  EXPECT_EQ(page->rows[0].employee.name, "Alice Smith");
  EXPECT_EQ(db_->scalar("SELECT check_out_source FROM attendance_records"), "exit_line");

  EXPECT_EQ(store_->attendance({"2025-11-25", "", 100, 0})->total, 0);
  auto since = store_->attendance_since("2025-11-23");
  ASSERT_TRUE(since.ok()) << since.error().message;
  ASSERT_EQ(since->size(), 1u);
  EXPECT_EQ((*since)[0].check_in, at_ms(0));
}

FAI_STORE_SUITE_FOR_THIS_BACKEND(EmployeeStoreTest);

}  // namespace
}  // namespace fai::test
