#pragma once
// The schema as an ordered list of migrations. Each migration is a list of statements run in
// one transaction and recorded in schema_migrations; the two dialects differ only in the
// auto-increment id column, so one text serves both.

#include <string>
#include <vector>

namespace fai::store {

enum class Dialect { kSqlite, kPostgres };

struct Migration {
  int version = 0;
  std::string name;
  std::vector<std::string> statements;  // already in the dialect
};

// Migrations in ascending version order, starting at 1.
std::vector<Migration> migrations(Dialect dialect);

// Creates the bookkeeping table when absent; safe to run every time.
std::string create_migrations_table_sql();

}  // namespace fai::store
