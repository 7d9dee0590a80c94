#pragma once
// A thin RAII layer over SQLite's C API: a connection and prepared statements. Every failure
// becomes an exception naming the database file and SQLite's own message.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace hwnas::store {

class Statement;

class Database {
 public:
  // Opens (creating if needed) the database at `path`, in WAL mode with a busy timeout, so that
  // two processes can share one file: one writes at a time, the other waits. Throws
  // hwnas::InputError(path, "", reason) when the file cannot be opened or is not a database.
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void execute(std::string_view sql);  // one or more statements, no results
  Statement prepare(std::string_view sql);
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// A write transaction taken at once (BEGIN IMMEDIATE), so that two writers serialise instead of
// failing at commit; rolled back unless commit() is called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);

  // Advances to the next row: true while there is one.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  void reset();

  std::string text(int column) const;
  double real(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const;

 private:
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace hwnas::store
