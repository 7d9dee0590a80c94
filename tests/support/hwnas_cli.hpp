#pragma once
// Runs the hwnas program the build made, from the source tree, and captures its exit code,
// stdout and stderr: the CLI tests check all three.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace hwnas::testing {

inline const std::string kSource = HWNAS_SOURCE_DIR;
inline const std::string kHwnas = std::string(HWNAS_BINARY_DIR) + "/tools/hwnas/hwnas";

struct CliOutcome {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `hwnas <args>` in the source folder. ctest runs tests in parallel processes: every test gets its
// own output files, named after the test and the process.
inline CliOutcome run_hwnas(const std::string& args) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string tag =
      std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
      std::to_string(getpid());
  const std::string out = (dir / ("hwnas_cli_out_" + tag)).string();
  const std::string err = (dir / ("hwnas_cli_err_" + tag)).string();
  const std::string command =
      "cd '" + kSource + "' && '" + kHwnas + "' " + args + " >'" + out + "' 2>'" + err + "'";
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
}

}  // namespace hwnas::testing
