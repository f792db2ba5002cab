// `ranvier inspect`: what the compiler made of a model, stage by stage.
#include <cstdio>

#include "codegen/cuda/cuda_model.h"
#include "codegen/llvm/compiled_model.h"
#include "frontend/stimulus.h"
#include "tools/args.h"
#include "tools/commands.h"
#include "tools/model_file.h"

namespace ranvier::tools {

int cmd_inspect(const Args& args) {
  const Options o(args, "inspect", {"--model-file", "--stage", "--arch"}, {"--float32"});
  const std::string file = o.input_path("--model-file", "");
  Cell cell = file.empty() ? example_cell() : load_model_file(file, -1, -1).cell;
  if (file.empty()) {
    cell.branch(0).comp(0).stimulate(step_current(10.0, 60.0, 0.5, 0.025, 100.0));
    cell.branch(0).comp(0).record("v");
  }
  const std::string which = o.text("--stage", "all");
  // The GPU backend's stages: the CUDA source needs nothing; PTX needs NVRTC (--arch, default sm_90).
  if (which == "cuda_source" || which == "ptx") {
    cuda::CudaOptions go;
    go.float32 = o.has("--float32");
    go.arch = which == "ptx" ? o.text("--arch", "sm_90") : "none";
    cuda::CudaModel m = cuda::compile(cell, go);
    std::printf("==== %s ====\n%s\n", which.c_str(), m.source(which == "ptx" ? cuda::CudaStage::Ptx : cuda::CudaStage::CudaSource).c_str());
    return 0;
  }
  CompileOptions co;
  co.float32 = o.has("--float32");
  CompiledModel m = compile(cell, co);
  for (Stage s : {Stage::Model, Stage::Fused, Stage::Linearized, Stage::Folded, Stage::Adjoint, Stage::DhsSchedule, Stage::LlvmIr,
                  Stage::LlvmIrOptimized, Stage::Assembly}) {
    if (which != "all" && parse_stage(which) != s) continue;
    std::printf("==== %s ====\n%s\n", stage_name(s), m.source(s).c_str());
  }
  return 0;
}

}  // namespace ranvier::tools
