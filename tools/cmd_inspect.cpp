// `ranvier inspect`: what the compiler made of a model, stage by stage.
#include <cstdio>

#include "codegen/llvm/compiled_model.h"
#include "frontend/stimulus.h"
#include "tools/commands.h"
#include "tools/model_file.h"

namespace ranvier::tools {

int cmd_inspect(const Args& args) {
  const std::string file = option(args, "--model-file", "");
  Cell cell = file.empty() ? example_cell() : load_model_file(file, -1, -1).cell;
  if (file.empty()) {
    cell.branch(0).comp(0).stimulate(step_current(10.0, 60.0, 0.5, 0.025, 100.0));
    cell.branch(0).comp(0).record("v");
  }
  CompileOptions co;
  co.float32 = flag(args, "--float32");
  CompiledModel m = compile(cell, co);
  const std::string which = option(args, "--stage", "all");
  for (Stage s : {Stage::Model, Stage::Fused, Stage::Linearized, Stage::Folded, Stage::DhsSchedule, Stage::LlvmIr,
                  Stage::LlvmIrOptimized, Stage::Assembly}) {
    if (which != "all" && parse_stage(which) != s) continue;
    std::printf("==== %s ====\n%s\n", stage_name(s), m.source(s).c_str());
  }
  return 0;
}

}  // namespace ranvier::tools
