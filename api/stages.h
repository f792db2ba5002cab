#pragma once
// The one list of inspectable stages, in order: the pass pipeline's (passes/pipeline.h), then
// each backend's. C++ (Stage), Python (ranvier.STAGES) and the CLI (ranvier inspect --stage)
// all read it.
#include <string>
#include <vector>

namespace ranvier {

enum class Stage {
  Model,            // the model IR
  Fused,            // after fuse_mechanisms
  LowerSynapses,    // after lower_synapses (networks only)
  Linearized,       // after linearize
  Folded,           // after fold_constants (what is compiled)
  Adjoint,          // derive_adjoint: the reverse step gradients compile
  DhsSchedule,      // the tree-solve schedule
  LlvmIr,           // LLVM IR as emitted
  LlvmIrOptimized,  // after the O3 pipeline for the host
  Assembly,         // host assembly
  CudaSource,       // the GPU backend's CUDA C++
  Ptx,              // PTX for the GPU's virtual architecture (needs NVRTC)
};

struct StageInfo {
  Stage stage;
  const char* name;     // as printed, dumped and parsed
  const char* backend;  // "pipeline", "llvm" or "cuda"
};

const std::vector<StageInfo>& stages();
const char* stage_name(Stage s);
const char* stage_backend(Stage s);
Stage parse_stage(const std::string& name);  // KeyError-like ranvier::Error listing the names

}  // namespace ranvier
