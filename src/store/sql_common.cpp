#include "store/sql_common.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <libpq-fe.h>

#include <limits>

namespace fai::store {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// SOCI 4.0's PostgreSQL backend mangles URI connect strings ("database \"<name>=\" does not
// exist"), so URIs are turned into key=value conninfo with libpq's own parser.
Expected<std::string> url_to_conninfo(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? error : "unparsable";
    PQfreemem(error);
    return make_error(ErrorCode::kInvalidArgument, "store url: " + message);
  }
  std::string conninfo;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    std::string value;
    for (const char* c = o->val; *c != '\0'; ++c) {
      if (*c == '\'' || *c == '\\') value += '\\';
      value += *c;
    }
    conninfo += std::string(conninfo.empty() ? "" : " ") + o->keyword + "='" + value + "'";
  }
  PQconninfoFree(options);
  return conninfo;
}

// SQLite result codes and PostgreSQL SQLSTATE classes that mean "not reachable now".
bool is_unavailable(const soci::soci_error& e) {
  if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    switch (lite->result() & 0xff) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
      case SQLITE_READONLY:
      case SQLITE_IOERR:
      case SQLITE_CANTOPEN:
      case SQLITE_FULL:
      case SQLITE_PERM:
      case SQLITE_PROTOCOL:
        return true;
      default:
        return false;
    }
  }
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    const std::string state = pg->sqlstate();
    // 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown).
    if (starts_with(state, "08") || starts_with(state, "53") || starts_with(state, "57")) {
      return true;
    }
  }
  const auto category = e.get_error_category();
  return category == soci::soci_error::connection_error ||
         category == soci::soci_error::system_error ||
         category == soci::soci_error::unknown_transaction_state;
}

// SOCI's PostgreSQL backend pings the server here, and the ping itself can throw.
bool still_connected(soci::session& s) {
  try {
    return s.is_connected();
  } catch (const soci::soci_error&) {
    return false;
  }
}

}  // namespace

Expected<Target> parse_store_url(const std::string& url) {
  if (starts_with(url, "sqlite:")) {
    std::string path = url.substr(7);
    if (starts_with(path, "//")) path = path.substr(2);
    if (path.empty())
      return make_error(ErrorCode::kInvalidArgument, "store url: empty sqlite path");
    // SOCI splits its connect string at spaces unless the value is quoted.
    return Target{Dialect::kSqlite, "db=\"" + path + "\""};
  }
  const bool is_pg_url = starts_with(url, "postgresql://") || starts_with(url, "postgres://");
  if (is_pg_url) {
    auto conninfo = url_to_conninfo(url);
    if (!conninfo) return conninfo.error();
    return Target{Dialect::kPostgres, *conninfo};
  }
  if (url.find('=') != std::string::npos) return Target{Dialect::kPostgres, url};
  return make_error(ErrorCode::kInvalidArgument,
                    "store url '" + url + "': expected sqlite:PATH, postgresql://... or conninfo");
}

long long to_ms(SystemTime t) {
  return epoch_ms(t);
}

SystemTime from_ms(long long ms) {
  return from_epoch_ms(ms);
}

Status Connection::run(const std::function<void(soci::session&)>& work) {
  std::lock_guard lock(mutex_);
  try {
    if (!session_) session_ = open();
    work(*session_);
    return {};
  } catch (const soci::soci_error& e) {
    const bool lost = !session_ || !still_connected(*session_);
    session_.reset();
    const auto code = lost || is_unavailable(e) ? ErrorCode::kUnavailable : ErrorCode::kInternal;
    return make_error(code, std::string("store: ") + e.what());
  }
}

std::unique_ptr<soci::session> Connection::open() const {
  const bool lite = target_.dialect == Dialect::kSqlite;
  auto session = std::make_unique<soci::session>(
      lite ? *soci::factory_sqlite3() : *soci::factory_postgresql(), target_.connect);
  if (lite) {
    // busy_timeout first: switching to WAL itself may wait for a lock.
    *session << "PRAGMA busy_timeout = " + std::to_string(busy_timeout_.count());
    *session << "PRAGMA journal_mode = WAL";
    *session << "PRAGMA synchronous = NORMAL";
    *session << "PRAGMA foreign_keys = ON";
  } else {
    // libpq prints notices ("already exists, skipping") to stderr otherwise.
    *session << "SET client_min_messages TO WARNING";
  }
  return session;
}

void in_write_transaction(soci::session& s, Dialect dialect,
                          const std::function<void(soci::session&)>& work) {
  s << (dialect == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  try {
    work(s);
    s << "COMMIT";
  } catch (const soci::soci_error&) {
    try {
      s << "ROLLBACK";
    } catch (const soci::soci_error&) {  // the original error is the one worth reporting
    }
    throw;
  }
}

void for_each_row(soci::session& s, const std::string& sql,
                  const std::function<void(soci::statement&)>& bind,
                  const std::function<void()>& on_row) {
  soci::statement st(s);
  bind(st);
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute(false);
  while (st.fetch()) on_row();
}

int64_t select_page(soci::session& s, const std::string& columns, const std::string& from_where,
                    const std::string& order_by, long long limit, long long offset,
                    const Binder& bind_filter, const Binder& bind_row,
                    const std::function<void()>& on_row) {
  long long total = 0;
  for_each_row(
      s, "SELECT COUNT(*) " + from_where,
      [&](soci::statement& st) {
        st.exchange(soci::into(total));
        bind_filter(st);
      },
      [] {});
  for_each_row(
      s,
      "SELECT " + columns + " " + from_where + " ORDER BY " + order_by +
          " LIMIT :limit OFFSET :offset",
      [&](soci::statement& st) {
        bind_row(st);
        bind_filter(st);
        st.exchange(soci::use(limit));
        st.exchange(soci::use(offset));
      },
      on_row);
  return total;
}

Expected<std::unique_ptr<Database>> Database::open(const StoreConfig& config) {
  auto target = parse_store_url(config.url);
  if (!target.ok()) return target.error();
  return std::unique_ptr<Database>(new Database(*target, config.busy_timeout));
}

Status Database::write(const std::function<void(soci::session&)>& work) {
  return writer_.run([&](soci::session& s) { in_write_transaction(s, dialect(), work); });
}

}  // namespace fai::store
