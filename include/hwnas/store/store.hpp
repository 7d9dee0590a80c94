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

// One candidate of a search run, as the pipeline recorded it (the record is its JSON).
struct CandidateRecord {
  int seq = 0;
  int batch = 0;
  std::string genotype;
  std::string stage;
  bool feasible = false;
  std::string record;
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

  // The search run this store belongs to (one run per store): its fingerprint (run file and
  // space file text), set once by the first run.
  std::optional<std::string> run_fingerprint() { return meta("run_fingerprint"); }
  void set_run_fingerprint(const std::string& text) { set_meta("run_fingerprint", text); }
  // Small named values (the run file's path, ...).
  std::optional<std::string> meta(const std::string& key);
  void set_meta(const std::string& key, const std::string& value);
  // Stores a finished candidate; a seq already stored is kept as it was.
  void put_candidate(const CandidateRecord& candidate);
  // Every stored candidate, by seq.
  std::vector<CandidateRecord> candidates();

  Database& database() { return db_; }
  const std::string& path() const { return db_.path(); }

 private:
  Database db_;
  std::mutex mutex_;  // one connection, shared by the threads of one process
};

}  // namespace hwnas::store
