// SQLite-only settings and URL forms (the shared suite covers behaviour on both backends).

#include "store/schema.h"
#include "store_fixture.h"

namespace fai::test {
namespace {

class SqliteStoreTest : public StoreFixture {};

TEST_P(SqliteStoreTest, FileIsInWalMode) {
  ASSERT_TRUE(open());
  EXPECT_EQ(db_->scalar("PRAGMA journal_mode"), "wal");
}

TEST_P(SqliteStoreTest, AcceptsEveryDocumentedUrlForm) {
  std::filesystem::create_directory(dir_ + "/with space");
  const std::string path = dir_ + "/with space/forms.db";
  for (const std::string& url : {"sqlite:" + path, "sqlite://" + path}) {
    auto store = open_store({url, std::chrono::milliseconds(100)});
    ASSERT_TRUE(store.ok()) << url << ": " << store.error().message;
    EXPECT_EQ(*(*store)->schema_version(),
              store::migrations(store::Dialect::kSqlite).back().version)
        << url;
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  auto empty = open_store({"sqlite:", std::chrono::milliseconds(100)});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
}

FAI_STORE_SUITE_FOR_THIS_BACKEND(SqliteStoreTest);

}  // namespace
}  // namespace fai::test
