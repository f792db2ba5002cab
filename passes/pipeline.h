#pragma once
// The pass pipeline from the model IR to the kernel IR, in order, with the text of the IR
// after each pass (for inspection, tests and RANVIER_DUMP).
#include <string>
#include <utility>
#include <vector>

#include "ir/kernel.h"
#include "ir/model.h"

namespace ranvier::passes {

struct PipelineOptions {
  ir::Linearization linearization = ir::Linearization::FiniteDifference;
  bool keep_text = false;            // record the IR after every pass
};

struct PipelineResult {
  ir::KernelIR kernel;
  std::vector<std::pair<std::string, std::string>> stages;  // (pass name, IR text after it)
};

PipelineResult lower_to_kernel(const ir::Model& model, const PipelineOptions& options);

}  // namespace ranvier::passes
