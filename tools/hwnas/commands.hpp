#pragma once
// Each subcommand registers itself on the app. A command's callback throws hwnas::InputError
// for bad input (exit 2) and sets the exit code through `CommandResult` otherwise.

#include <CLI/CLI.hpp>

namespace hwnas::cli {

// Exit codes (DESIGN.md, "Interfaces"): 0 ok, 1 the job ran but failed (e.g. "does not fit"
// when --require-fit is given), 2 bad input.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadInput = 2;

// Set by a command callback when it wants a non-zero exit without an error message.
int& exit_code();

void add_estimate_command(CLI::App& app);
void add_space_command(CLI::App& app);
void add_device_command(CLI::App& app);
void add_map_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_predictor_command(CLI::App& app);
void add_search_command(CLI::App& app);
void add_latency_command(CLI::App& app);
void add_bench_command(CLI::App& app);

}  // namespace hwnas::cli
