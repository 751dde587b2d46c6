#pragma once
// What every SOCI-backed repository shares: the store URL parser, a self-healing connection,
// write transactions, row iteration and the camera + time-range filter. Internal to src/store:
// SOCI types appear here and in the store's .cpp files only, never in a public header.

#include <soci/soci.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/expected.h"
#include "store/schema.h"
#include "store/store.h"

namespace fai::store {

struct Target {
  Dialect dialect;
  std::string connect;  // what SOCI's backend receives
};

Expected<Target> parse_store_url(const std::string& url);

long long to_ms(SystemTime t);
SystemTime from_ms(long long ms);

// One lazily opened session guarded by a mutex. After any error the session is dropped, so a
// connection broken by a restart or a network cut is replaced by a fresh one on the next call.
// SOCI exceptions become errors: kUnavailable when the database cannot be reached, locked or
// read-only, kInternal otherwise.
class Connection {
 public:
  Connection(Target target, std::chrono::milliseconds busy_timeout)
      : target_(std::move(target)), busy_timeout_(busy_timeout) {}

  Status run(const std::function<void(soci::session&)>& work);
  Dialect dialect() const { return target_.dialect; }

 private:
  std::unique_ptr<soci::session> open() const;

  Target target_;
  std::chrono::milliseconds busy_timeout_;
  std::mutex mutex_;
  std::unique_ptr<soci::session> session_;
};

// Raw BEGIN/COMMIT so SQLite can take the write lock up front (BEGIN IMMEDIATE): a deferred
// transaction that upgrades later can fail with SQLITE_BUSY without waiting.
void in_write_transaction(soci::session& s, Dialect dialect,
                          const std::function<void(soci::session&)>& work);

// A writer and a reader connection to one database (SQLite WAL lets readers run beside the
// writer). Repositories of each domain (employees, vehicles, ...) open their own.
class Database {
 public:
  static Expected<std::unique_ptr<Database>> open(const StoreConfig& config);

  // `work` runs inside one write transaction, rolled back when it throws.
  Status write(const std::function<void(soci::session&)>& work);
  Status read(const std::function<void(soci::session&)>& work) { return reader_.run(work); }
  // Runs `work` on the writer connection without a transaction (migrations manage their own).
  Status on_writer(const std::function<void(soci::session&)>& work) { return writer_.run(work); }
  Dialect dialect() const { return writer_.dialect(); }

  template <class T, class Query>
  Expected<T> read_value(Query query) {
    T out{};
    if (Status st = reader_.run([&](soci::session& s) { out = query(s); }); !st.ok()) {
      return st.error();
    }
    return out;
  }

 private:
  Database(const Target& target, std::chrono::milliseconds busy_timeout)
      : writer_(target, busy_timeout), reader_(target, busy_timeout) {}
  Connection writer_;
  Connection reader_;
};

// Camera + [from, to) filter; binds its values in the order its placeholders appear.
class RangeFilter {
 public:
  RangeFilter(const RangeQuery& query, std::string time_column)
      : camera_id_(query.camera_id),
        from_ms_(query.from ? to_ms(*query.from) : std::numeric_limits<long long>::min()),
        to_ms_(query.to ? to_ms(*query.to) : std::numeric_limits<long long>::max()),
        time_column_(std::move(time_column)) {}

  std::string where() const {
    return std::string(" WHERE ") + (camera_id_.empty() ? "" : "camera_id = :camera AND ") +
           time_column_ + " >= :from AND " + time_column_ + " < :to";
  }
  const std::string& time_column() const { return time_column_; }

  void bind(soci::statement& st) {
    if (!camera_id_.empty()) st.exchange(soci::use(camera_id_));
    st.exchange(soci::use(from_ms_));
    st.exchange(soci::use(to_ms_));
  }

 private:
  std::string camera_id_;
  long long from_ms_;
  long long to_ms_;
  std::string time_column_;
};

// Prepares `sql` with the exchanges `bind` adds, executes it and calls `on_row` per row.
void for_each_row(soci::session& s, const std::string& sql,
                  const std::function<void(soci::statement&)>& bind,
                  const std::function<void()>& on_row);

using Binder = std::function<void(soci::statement&)>;

// The paged read every list endpoint makes: COUNT(*) of `from_where` ("FROM ... WHERE ...",
// its placeholders bound by `bind_filter`), then `columns` of the rows `offset` .. `offset +
// limit` in `order_by` order, `bind_row` binding the row's into()s and `on_row` taking each row.
// Returns the count.
int64_t select_page(soci::session& s, const std::string& columns, const std::string& from_where,
                    const std::string& order_by, long long limit, long long offset,
                    const Binder& bind_filter, const Binder& bind_row,
                    const std::function<void()>& on_row);

// Nullable BIGINT epoch ms <-> optional time.
struct OptionalMs {
  long long value = 0;
  soci::indicator ind = soci::i_null;
  static OptionalMs of(const std::optional<SystemTime>& t) {
    return t ? OptionalMs{to_ms(*t), soci::i_ok} : OptionalMs{};
  }
  std::optional<SystemTime> time() const {
    return ind == soci::i_ok ? std::optional<SystemTime>(from_ms(value)) : std::nullopt;
  }
};

// A nullable TEXT column read as "" when NULL.
struct OptionalText {
  std::string value;
  soci::indicator ind = soci::i_null;
  std::string text() const { return ind == soci::i_ok ? value : ""; }
};

}  // namespace fai::store
