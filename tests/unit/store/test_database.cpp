#include "test_database.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

namespace fai::test {
namespace {

class SqliteDatabase final : public TestDatabase {
 public:
  explicit SqliteDatabase(const std::string& dir) : dir_(dir), path_(dir + "/fai.db") {}
  ~SqliteDatabase() override { make_available(); }

  std::string url() const override { return "sqlite:" + path_; }
  std::string unreachable_url() const override { return "sqlite:" + dir_ + "/no-such-dir/fai.db"; }

  std::vector<std::string> columns(const std::string& table) override {
    return query_column("PRAGMA table_info(" + table + ")", 1);
  }

  std::string scalar(const std::string& sql) override {
    const auto values = query_column(sql, 0);
    return values.empty() ? "" : values.front();
  }

  void make_unavailable() override {
    sqlite3_open(path_.c_str(), &locker_);
    sqlite3_busy_timeout(locker_, 5000);
    EXPECT_EQ(sqlite3_exec(locker_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }

  void make_available() override {
    if (!locker_) return;
    sqlite3_exec(locker_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(locker_);
    locker_ = nullptr;
  }

 private:
  std::vector<std::string> query_column(const std::string& sql, int column) {
    sqlite3* db = nullptr;
    sqlite3_stmt* st = nullptr;
    std::vector<std::string> out;
    sqlite3_open(path_.c_str(), &db);
    sqlite3_busy_timeout(db, 5000);
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(st, column);
      out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  std::string dir_;
  std::string path_;
  sqlite3* locker_ = nullptr;
};

class PostgresDatabase final : public TestDatabase {
 public:
  PostgresDatabase() : admin_(PQconnectdb(std::getenv("FAI_TEST_PG_URL"))) {
    EXPECT_EQ(PQstatus(admin_), CONNECTION_OK) << PQerrorMessage(admin_);
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count() % 1000000000;
    name_ = "fai_t" + std::to_string(::getpid()) + "_" + std::to_string(stamp);
    exec("SET client_min_messages TO WARNING");
    exec("CREATE ROLE " + name_ + " LOGIN");
    exec("CREATE SCHEMA " + name_ + " AUTHORIZATION " + name_);
    exec("SET search_path TO " + name_);
    url_ = std::string("host=") + PQhost(admin_) + " port=" + PQport(admin_) +
           " dbname=" + PQdb(admin_) + " user=" + name_ + " options='-csearch_path=" + name_ + "'";
  }

  ~PostgresDatabase() override {
    terminate_sessions();
    exec("DROP SCHEMA " + name_ + " CASCADE");
    exec("DROP ROLE " + name_);
    PQfinish(admin_);
  }

  std::string url() const override { return url_; }
  std::string unreachable_url() const override {
    return "postgresql://postgres@127.0.0.1:1/factoryai_test?connect_timeout=2";
  }

  std::vector<std::string> columns(const std::string& table) override {
    return query_column(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = '" + name_ +
        "' AND table_name = '" + table + "' ORDER BY ordinal_position");
  }

  std::string scalar(const std::string& sql) override {
    const auto values = query_column(sql);
    return values.empty() ? "" : values.front();
  }

  void make_unavailable() override {
    exec("ALTER ROLE " + name_ + " NOLOGIN");
    terminate_sessions();
  }
  void make_available() override { exec("ALTER ROLE " + name_ + " LOGIN"); }

 private:
  void terminate_sessions() {
    query_column("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" +
                 name_ + "'");
  }

  void exec(const std::string& sql) { query_column(sql); }

  std::vector<std::string> query_column(const std::string& sql) {
    PGresult* result = PQexec(admin_, sql.c_str());
    const auto status = PQresultStatus(result);
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        << sql << ": " << PQerrorMessage(admin_);
    std::vector<std::string> out;
    for (int row = 0; status == PGRES_TUPLES_OK && row < PQntuples(result); ++row) {
      out.emplace_back(PQgetvalue(result, row, 0));
    }
    PQclear(result);
    return out;
  }

  PGconn* admin_;
  std::string name_;
  std::string url_;
};

}  // namespace

std::optional<std::string> backend_missing(Backend backend) {
  if (backend == Backend::kPostgres && !std::getenv("FAI_TEST_PG_URL")) {
    return "FAI_TEST_PG_URL is not set (start one with tools/test/pg.sh start)";
  }
  return std::nullopt;
}

bool backend_required() {
  const char* value = std::getenv("FAI_REQUIRE_PG");
  return value && std::string(value) == "1";
}

std::unique_ptr<TestDatabase> make_test_database(Backend backend, const std::string& dir) {
  if (backend == Backend::kPostgres) return std::make_unique<PostgresDatabase>();
  return std::make_unique<SqliteDatabase>(dir);
}

}  // namespace fai::test
