#pragma once
// What every integration test that runs `factoryai serve` needs: a scratch database on SQLite or
// on the throwaway PostgreSQL cluster (tools/test/pg.sh), and a server started on a free port.

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "subprocess.h"

namespace fai::test {

enum class Backend { kSqlite, kPostgres };
void PrintTo(Backend backend, std::ostream* os);
const char* backend_name(Backend backend);  // "sqlite" | "postgres", for test names

RunResult psql(const std::string& url, const std::string& sql);
// postgresql://user@host:port/db?params with db replaced.
std::string with_database(const std::string& url, const std::string& db);

// The database of one test: `dir`/factoryai.db, or a new PostgreSQL database `name` on the
// cluster at FAI_TEST_PG_URL, dropped again by the destructor. Without FAI_TEST_PG_URL the test
// is skipped, or fails when FAI_REQUIRE_PG=1: state() says which and problem() why.
class ScratchDatabase {
 public:
  enum class State { kReady, kSkip, kFail };
  ScratchDatabase(Backend backend, const std::filesystem::path& dir, const std::string& name);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  State state() const { return state_; }
  const std::string& problem() const { return problem_; }
  const std::string& url() const { return url_; }                  // for `serve --db`
  const std::string& sqlite_path() const { return sqlite_path_; }  // empty on PostgreSQL

 private:
  State state_ = State::kReady;
  std::string problem_, url_, sqlite_path_, admin_url_, pg_database_;
};

// `factoryai serve --port 0 --db db_url -c config` with its output in `log`, once it has printed
// the port it listens on. On failure `process` may still hold the exited process and `error`
// says what happened (with the log).
struct StartedServer {
  std::unique_ptr<BackgroundProcess> process;
  int port = 0;
  std::string error;
};
StartedServer start_serve(const std::string& config, const std::string& db_url,
                          const std::string& log);

}  // namespace fai::test
