#pragma once
// Subcommands of the `ranvier` command-line program; each returns the exit status.
#include <string>
#include <vector>

namespace ranvier::tools {

using Args = std::vector<std::string>;

int cmd_run(const Args& args);      // simulate the built-in example, write CSV, print a summary
int cmd_bench(const Args& args);    // time one model on one backend, print one JSON object
int cmd_inspect(const Args& args);  // print what the compiler made of a model

}  // namespace ranvier::tools
