#include "hwnas/store/store.hpp"

#include <fmt/format.h>

#include "hwnas/core/error.hpp"

namespace hwnas::store {

namespace {

constexpr int kSchemaVersion = 1;

TrainingRecord read_training(const Statement& row) {
  TrainingRecord r;
  r.id = row.integer(0);
  r.network = row.text(1);
  r.data = row.text(2);
  r.budget = row.text(3);
  r.status = row.text(4);
  r.reason = row.text(5);
  r.test_accuracy = row.real(6);
  r.validation_accuracy = row.real(7);
  r.seconds = row.real(8);
  r.result = row.text(9);
  return r;
}

constexpr const char* kTrainingColumns =
    "id, network, data, budget, status, reason, test_accuracy, validation_accuracy, seconds, "
    "result";

}  // namespace

Store::Store(const std::string& path) : db_(path) {
  try {
    Transaction schema(db_);
    db_.execute(
        "CREATE TABLE IF NOT EXISTS hwnas_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS training ("
        "  id INTEGER PRIMARY KEY,"
        "  network TEXT NOT NULL, data TEXT NOT NULL, budget TEXT NOT NULL,"
        "  status TEXT NOT NULL, reason TEXT NOT NULL,"
        "  test_accuracy REAL NOT NULL, validation_accuracy REAL NOT NULL,"
        "  seconds REAL NOT NULL, result TEXT NOT NULL,"
        "  created TEXT NOT NULL DEFAULT (datetime('now')),"
        "  UNIQUE (network, data, budget));"
        "CREATE TABLE IF NOT EXISTS candidate ("
        "  seq INTEGER PRIMARY KEY, batch INTEGER NOT NULL, genotype TEXT NOT NULL,"
        "  stage TEXT NOT NULL, feasible INTEGER NOT NULL, record TEXT NOT NULL,"
        "  created TEXT NOT NULL DEFAULT (datetime('now')));");
    auto version = db_.prepare("SELECT value FROM hwnas_meta WHERE key = 'schema_version'");
    if (version.step()) {
      const std::string stored = version.text(0);
      if (stored != std::to_string(kSchemaVersion)) {
        throw InputError(path, "schema_version",
                         fmt::format("the store has schema version {}; this hwnas reads {}", stored,
                                     kSchemaVersion));
      }
    } else {
      db_.prepare("INSERT INTO hwnas_meta (key, value) VALUES ('schema_version', ?)")
          .bind(1, std::to_string(kSchemaVersion))
          .run();
    }
    schema.commit();
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    // Typically "file is not a database" from a file that is something else.
    throw InputError(path, "", fmt::format("not a usable hwnas store: {}", e.what()));
  }
}

std::optional<TrainingRecord> Store::find_training(const std::string& network,
                                                   const std::string& data,
                                                   const std::string& budget) {
  std::lock_guard lock(mutex_);
  auto query = db_.prepare(fmt::format(
      "SELECT {} FROM training WHERE network = ? AND data = ? AND budget = ?", kTrainingColumns));
  query.bind(1, network).bind(2, data).bind(3, budget);
  if (!query.step()) return std::nullopt;
  return read_training(query);
}

void Store::put_training(const TrainingRecord& r) {
  std::lock_guard lock(mutex_);
  Transaction write(db_);
  db_.prepare(
         "INSERT OR IGNORE INTO training (network, data, budget, status, reason, test_accuracy, "
         "validation_accuracy, seconds, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, r.network)
      .bind(2, r.data)
      .bind(3, r.budget)
      .bind(4, r.status)
      .bind(5, r.reason)
      .bind(6, r.test_accuracy)
      .bind(7, r.validation_accuracy)
      .bind(8, r.seconds)
      .bind(9, r.result)
      .run();
  write.commit();
}

std::vector<TrainingRecord> Store::trainings() {
  std::lock_guard lock(mutex_);
  auto query = db_.prepare(fmt::format("SELECT {} FROM training ORDER BY id", kTrainingColumns));
  std::vector<TrainingRecord> records;
  while (query.step()) records.push_back(read_training(query));
  return records;
}

std::optional<std::string> Store::meta(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto query = db_.prepare("SELECT value FROM hwnas_meta WHERE key = ?");
  query.bind(1, key);
  if (!query.step()) return std::nullopt;
  return query.text(0);
}

void Store::set_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mutex_);
  Transaction write(db_);
  db_.prepare("INSERT OR REPLACE INTO hwnas_meta (key, value) VALUES (?, ?)")
      .bind(1, key)
      .bind(2, value)
      .run();
  write.commit();
}

void Store::put_candidate(const CandidateRecord& c) {
  std::lock_guard lock(mutex_);
  Transaction write(db_);
  db_.prepare(
         "INSERT OR IGNORE INTO candidate (seq, batch, genotype, stage, feasible, record) "
         "VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, static_cast<std::int64_t>(c.seq))
      .bind(2, static_cast<std::int64_t>(c.batch))
      .bind(3, c.genotype)
      .bind(4, c.stage)
      .bind(5, static_cast<std::int64_t>(c.feasible ? 1 : 0))
      .bind(6, c.record)
      .run();
  write.commit();
}

std::vector<CandidateRecord> Store::candidates() {
  std::lock_guard lock(mutex_);
  auto query = db_.prepare(
      "SELECT seq, batch, genotype, stage, feasible, record FROM candidate ORDER BY seq");
  std::vector<CandidateRecord> out;
  while (query.step()) {
    out.push_back({static_cast<int>(query.integer(0)), static_cast<int>(query.integer(1)),
                   query.text(2), query.text(3), query.integer(4) != 0, query.text(5)});
  }
  return out;
}

}  // namespace hwnas::store
