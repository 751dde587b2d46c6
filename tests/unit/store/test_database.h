#pragma once
// A private database for one test: a fresh SQLite file, or a fresh schema owned by a fresh
// role in the PostgreSQL at FAI_TEST_PG_URL, with a switch that makes it unreachable.

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace fai::test {

enum class Backend { kSqlite, kPostgres };

inline const char* to_string(Backend backend) {
  return backend == Backend::kPostgres ? "postgres" : "sqlite";
}
inline void PrintTo(Backend backend, std::ostream* os) {
  *os << to_string(backend);
}

// The backend this binary runs the store suites against (one binary per backend, so that ctest
// labels can tell them apart).
#if FAI_STORE_TEST_POSTGRES
inline constexpr Backend kThisBackend = Backend::kPostgres;
#else
inline constexpr Backend kThisBackend = Backend::kSqlite;
#endif

class TestDatabase {
 public:
  virtual ~TestDatabase() = default;
  virtual std::string url() const = 0;
  // A URL of the same backend where nothing answers.
  virtual std::string unreachable_url() const = 0;
  virtual std::vector<std::string> columns(const std::string& table) = 0;
  // The first column of the first row of `sql`, as text (run over a connection of its own).
  virtual std::string scalar(const std::string& sql) = 0;
  // SQLite: another connection holds the write lock. PostgreSQL: the role may not log in and
  // its connections are terminated.
  virtual void make_unavailable() = 0;
  virtual void make_available() = 0;
};

// A reason to skip when the backend is not configured (PostgreSQL without FAI_TEST_PG_URL);
// FAI_REQUIRE_PG=1 turns that skip into a failure.
std::optional<std::string> backend_missing(Backend backend);
bool backend_required();
std::unique_ptr<TestDatabase> make_test_database(Backend backend, const std::string& dir);

}  // namespace fai::test
