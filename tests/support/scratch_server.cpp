#include "scratch_server.h"

#include <chrono>
#include <cstdlib>
#include <regex>

namespace fai::test {

using namespace std::chrono_literals;

void PrintTo(Backend backend, std::ostream* os) {
  *os << backend_name(backend);
}

const char* backend_name(Backend backend) {
  return backend == Backend::kSqlite ? "sqlite" : "postgres";
}

RunResult psql(const std::string& url, const std::string& sql) {
  return run_command({"/usr/bin/psql", "-d", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql}, 30s);
}

std::string with_database(const std::string& url, const std::string& db) {
  const size_t slash = url.find('/', url.find("://") + 3);
  const size_t query = url.find('?', slash == std::string::npos ? 0 : slash);
  const std::string base = slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash);
  return base + "/" + db + (query == std::string::npos ? "" : url.substr(query));
}

ScratchDatabase::ScratchDatabase(Backend backend, const std::filesystem::path& dir,
                                 const std::string& name) {
  if (backend == Backend::kSqlite) {
    sqlite_path_ = (dir / "factoryai.db").string();
    url_ = "sqlite:" + sqlite_path_;
    return;
  }
  const char* admin = std::getenv("FAI_TEST_PG_URL");
  if (admin == nullptr || *admin == '\0') {
    const char* required = std::getenv("FAI_REQUIRE_PG");
    const bool must = required != nullptr && std::string(required) == "1";
    state_ = must ? State::kFail : State::kSkip;
    problem_ = must ? "FAI_REQUIRE_PG=1 but FAI_TEST_PG_URL unset"
                    : "FAI_TEST_PG_URL unset (tools/test/pg.sh start)";
    return;
  }
  admin_url_ = admin;
  const RunResult created = psql(admin_url_, "CREATE DATABASE " + name);
  if (created.exit_code != 0) {
    state_ = State::kFail;
    problem_ = "CREATE DATABASE " + name + ": " + created.err;
    return;
  }
  pg_database_ = name;
  // The URL form users write in store.url (the store turns it into libpq conninfo).
  url_ = with_database(admin_url_, pg_database_);
}

ScratchDatabase::~ScratchDatabase() {
  if (!pg_database_.empty()) {
    psql(admin_url_, "DROP DATABASE IF EXISTS " + pg_database_ + " WITH (FORCE)");
  }
}

StartedServer start_serve(const std::string& config, const std::string& db_url,
                          const std::string& log) {
  StartedServer started;
  started.process = BackgroundProcess::start({factoryai_path(), "--models-dir", models_dir(), "-c",
                                              config, "serve", "--port", "0", "--db", db_url},
                                             log);
  BackgroundProcess& process = *started.process;
  const std::regex serving("serving on http://127\\.0\\.0\\.1:(\\d+)");
  std::smatch m;
  std::string text;
  const bool settled = wait_until(
      [&] {
        text = process.log();
        return std::regex_search(text, m, serving) || !process.running();
      },
      60s);
  if (!settled) {
    started.error = "server did not start within 60 s:\n" + text;
  } else if (m.empty()) {
    started.error = "server exited:\n" + text;
  } else {
    started.port = std::stoi(m[1]);
  }
  return started;
}

}  // namespace fai::test
