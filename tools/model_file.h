#pragma once
// Model files of the benchmark harness (bench/README.md, "Model files"): kind "tree" (a
// branched cable of cylinders) or "swc" (a reconstruction), HH everywhere, one step current
// and one recorded voltage.
#include <string>

#include "frontend/module.h"

namespace ranvier::tools {

struct ModelFile {
  Cell cell;
  double gNa = 0.12;      // S/cm^2, for batch sweeps
  double t_max = 100.0;   // ms
  double dt = 0.025;      // ms
};

// Reads and builds the model; `t_max`/`dt` (ms) override the file's when positive.
ModelFile load_model_file(const std::string& path, double t_max, double dt);

// The built-in example of `ranvier run`: an HH cell with seven branches.
Cell example_cell();

}  // namespace ranvier::tools
