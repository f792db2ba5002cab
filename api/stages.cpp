#include "api/stages.h"

#include "ir/error.h"
#include "passes/pipeline.h"

namespace ranvier {

const std::vector<StageInfo>& stages() {
  static const std::vector<StageInfo> list = [] {
    const Stage pipeline[] = {Stage::Model,     Stage::Fused,  Stage::LowerSynapses, Stage::Linearized,
                              Stage::Folded,    Stage::Adjoint, Stage::DhsSchedule};
    std::vector<StageInfo> out;
    const auto& names = passes::pipeline_stages();
    RANVIER_ASSERT(names.size() == std::size(pipeline));
    for (std::size_t i = 0; i < names.size(); ++i) out.push_back({pipeline[i], names[i].c_str(), "pipeline"});
    out.push_back({Stage::LlvmIr, "llvm_ir", "llvm"});
    out.push_back({Stage::LlvmIrOptimized, "llvm_ir_optimized", "llvm"});
    out.push_back({Stage::Assembly, "assembly", "llvm"});
    out.push_back({Stage::CudaSource, "cuda_source", "cuda"});
    out.push_back({Stage::Ptx, "ptx", "cuda"});
    return out;
  }();
  return list;
}

const char* stage_name(Stage s) {
  for (const auto& info : stages())
    if (info.stage == s) return info.name;
  RANVIER_ASSERT(false);
}

const char* stage_backend(Stage s) {
  for (const auto& info : stages())
    if (info.stage == s) return info.backend;
  RANVIER_ASSERT(false);
}

Stage parse_stage(const std::string& name) {
  std::string known;
  for (const auto& info : stages()) {
    if (name == info.name) return info.stage;
    known += (known.empty() ? "" : ", ") + std::string(info.name);
  }
  fail_key("unknown stage '{}'; stages are {}", name, known);
}

}  // namespace ranvier
