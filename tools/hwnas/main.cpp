// hwnas: the command-line program. It parses arguments, reads inputs, calls the library and
// chooses the exit code; the library never exits.

#include <malloc.h>

#include <cstdio>
#include <exception>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "hwnas/core/error.hpp"

namespace hwnas::cli {
int& exit_code() {
  static int code = kExitOk;
  return code;
}
}  // namespace hwnas::cli

int main(int argc, char** argv) {
  using namespace hwnas::cli;
  // glibc returns freed heap to the kernel after every batch once training data tensors are
  // larger than its mmap threshold can adapt to (32 MiB): a 60,000-image training then spends
  // most of its time page-faulting (6,770 brk calls per epoch, 2.7x slower; docs/training.md).
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  CLI::App app{"hwnas: hardware-aware neural architecture search and accelerator co-design"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "hwnas 0.1.0");
  add_estimate_command(app);
  add_space_command(app);
  add_device_command(app);
  add_map_command(app);
  add_train_command(app);
  add_predictor_command(app);
  add_search_command(app);
  add_latency_command(app);
  add_bench_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  } catch (const hwnas::InputError& e) {
    fmt::print(stderr, "hwnas: error: {}\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hwnas: internal error: {}\n", e.what());
    return kExitFailed;
  }
  return exit_code();
}
