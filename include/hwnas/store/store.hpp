#pragma once
// hwnas's store: one SQLite file that holds what is expensive to compute, so that nothing is
// computed twice and a killed run loses nothing. Today it holds trained accuracies (the result
// cache, keyed by network, bits, training budget, data and seed); search runs add their
// candidates to the same file.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hwnas/store/sqlite.hpp"

namespace hwnas::store {

// One training of one network: the key's parts, and what came out.
struct TrainingRecord {
  std::string network;  // the network as YAML, bits included (the key's network part)
  std::string data;     // the data set as named to hwnas (e.g. "fashion-mnist")
  std::string budget;   // the training budget as canonical JSON, seed included
  std::string status;   // "ok" or "diverged"
  std::string reason;   // why it diverged
  double test_accuracy = 0;
  double validation_accuracy = 0;
  double seconds = 0;
  std::string result;   // the whole result as JSON (loss curve, images/s)
  std::int64_t id = 0;  // row id, in the order results were stored
};

class Store {
 public:
  // Opens or creates the store; throws hwnas::InputError(path, ...) when the file is not a
  // store (another database, a newer schema, not SQLite).
  explicit Store(const std::string& path);

  // The training stored under (network, data, budget), if any.
  std::optional<TrainingRecord> find_training(const std::string& network, const std::string& data,
                                              const std::string& budget);
  // Stores a training; when another process stored the same key first, keeps theirs.
  void put_training(const TrainingRecord& record);
  // Every stored training, oldest first.
  std::vector<TrainingRecord> trainings();

  Database& database() { return db_; }
  const std::string& path() const { return db_.path(); }

 private:
  Database db_;
  std::mutex mutex_;  // one connection, shared by the threads of one process
};

}  // namespace hwnas::store
