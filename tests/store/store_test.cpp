#include "hwnas/store/store.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hwnas/core/error.hpp"

namespace hwnas::store {
namespace {

std::string fresh_path(const std::string& name) {
  const std::string path = std::string(HWNAS_BINARY_DIR) + "/store_test_" + name + ".sqlite";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

TrainingRecord record(const std::string& network, double accuracy) {
  TrainingRecord r;
  r.network = network;
  r.data = "fashion-mnist";
  r.budget = R"({"epochs":1,"seed":1})";
  r.status = "ok";
  r.test_accuracy = accuracy;
  r.validation_accuracy = accuracy - 0.01;
  r.seconds = 2.5;
  r.result = R"({"test_accuracy":)" + std::to_string(accuracy) + "}";
  return r;
}

TEST(Store, FindsWhatWasPutUnderTheWholeKeyOnly) {
  Store store(fresh_path("find"));
  store.put_training(record("net-a", 0.8));
  const auto found = store.find_training("net-a", "fashion-mnist", R"({"epochs":1,"seed":1})");
  ASSERT_TRUE(found.has_value());
  EXPECT_DOUBLE_EQ(found->test_accuracy, 0.8);
  EXPECT_DOUBLE_EQ(found->validation_accuracy, 0.79);
  EXPECT_DOUBLE_EQ(found->seconds, 2.5);
  EXPECT_EQ(found->status, "ok");
  // Any part of the key that differs is a different training.
  EXPECT_FALSE(store.find_training("net-b", "fashion-mnist", R"({"epochs":1,"seed":1})"));
  EXPECT_FALSE(store.find_training("net-a", "mnist:/x", R"({"epochs":1,"seed":1})"));
  EXPECT_FALSE(store.find_training("net-a", "fashion-mnist", R"({"epochs":1,"seed":2})"));
}

TEST(Store, FirstResultForAKeyIsKeptAndOrderIsPreserved) {
  const std::string path = fresh_path("order");
  {
    Store store(path);
    store.put_training(record("net-a", 0.8));
    store.put_training(record("net-b", 0.7));
    store.put_training(record("net-a", 0.1));  // a second writer of the same key loses
  }
  Store reopened(path);
  const auto all = reopened.trainings();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].network, "net-a");
  EXPECT_DOUBLE_EQ(all[0].test_accuracy, 0.8);
  EXPECT_EQ(all[1].network, "net-b");
  EXPECT_LT(all[0].id, all[1].id);
}

TEST(Store, AFileThatIsNotAStoreIsAnInputErrorNamingIt) {
  const std::string path = fresh_path("garbage");
  std::ofstream(path) << "this is not a database, just text long enough to have a header.....";
  try {
    Store store(path);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), path);
    EXPECT_NE(std::string(e.what()).find("not a"), std::string::npos) << e.what();
  }
}

TEST(Store, ANewerSchemaIsRefusedWithBothVersions) {
  const std::string path = fresh_path("schema");
  { Store store(path); }
  {
    Database db(path);
    db.execute("UPDATE hwnas_meta SET value = '99' WHERE key = 'schema_version'");
  }
  try {
    Store store(path);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "schema_version");
    EXPECT_NE(e.reason().find("99"), std::string::npos);
  }
}

TEST(Store, TwoProcessesWritingAtOnceLoseNothing) {
  const std::string path = fresh_path("processes");
  { Store store(path); }
  constexpr int kEach = 150;
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      try {
        Store store(path);
        for (int i = 0; i < kEach; ++i) {
          store.put_training(record("p" + std::to_string(p) + "-" + std::to_string(i), 0.5));
          // Both also write one shared key: exactly one of them must win.
          if (i == kEach / 2) store.put_training(record("shared", 0.1 + p));
        }
      } catch (...) {
        code = 1;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  Store store(path);
  EXPECT_EQ(store.trainings().size(), 2u * kEach + 1);
  auto check = store.database().prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.step());
  EXPECT_EQ(check.text(0), "ok");
}

}  // namespace
}  // namespace hwnas::store
