#pragma once
// The three models whose pipeline-stage texts are committed in tests/reference/ir/ (issue 20,
// step 1: they guard behaviour-preserving refactors), and the one function that produces the
// text of a stage of a model. Kept small on purpose: every stage text stays reviewable.
#include <ostream>
#include <string>
#include <vector>

#include "api/compile.h"
#include "api/cuda_model.h"
#include "api/stages.h"
#include "frontend/channels/builtin.h"
#include "frontend/connect.h"
#include "frontend/module.h"
#include "frontend/network.h"
#include "frontend/stimulus.h"
#include "frontend/synapses/builtin.h"
#include "ir/error.h"
#include "ir/model.h"

namespace ranvier::test {

// (a) HH on a 3-branch cell (a root with two children, 2 compartments each), a step current
// into the root and recordings of v and a gate.
inline ir::Model golden_hh_cell() {
  Cell cell(Branch(Compartment(), 2), {-1, 0, 0});
  cell.set("axial_resistivity", 100.0);  // ohm cm
  cell.insert(channels::HH());
  cell.branch(0).comp(0).stimulate(step_current(0.5, 1.0, 0.2, 0.025, 2.0));  // ms, ms, nA
  cell.branch(0).comp(0).record("v");
  cell.branch(2).comp(1).record("v");
  cell.branch(1).comp(0).record("HH_m");
  return cell.lower();
}

// (b) Several channel groups: Pospischil Na/K/Km/Leak on the root, CaL/CaT + Leak on branch 1,
// HH on branch 2 (so three fused groups), a voltage clamp on branch 2 and a recording.
inline ir::Model golden_mixed_cell() {
  Cell cell(Branch(Compartment(), 1), {-1, 0, 0});
  cell.set("axial_resistivity", 100.0);  // ohm cm
  for (const auto& m : {channels::Na(), channels::K(), channels::Km(), channels::Leak()}) cell.branch(0).insert(m);
  cell.branch(1).insert(channels::CaL());
  cell.branch(1).insert(channels::CaT());
  cell.branch(1).insert(channels::Leak());
  cell.branch(2).insert(channels::HH());
  cell.branch(2).comp(0).clamp("v", std::vector<double>(4, -60.0));  // mV
  cell.branch(1).comp(0).record("v");
  return cell.lower();
}

// (c) A network of three one-compartment HH cells: an IonotropicSynapse 0 -> 1 and a
// TanhRateSynapse 1 -> 2, a stimulus into cell 0 and a recording in cell 2.
inline ir::Model golden_network() {
  Cell cell;
  cell.insert(channels::HH());
  Network net({cell, cell, cell});
  connect(net.cell(0).branch(0).comp(0), net.cell(1).branch(0).comp(0), synapses::IonotropicSynapse());
  connect(net.cell(1).branch(0).comp(0), net.cell(2).branch(0).comp(0), synapses::TanhRateSynapse());
  net.cell(0).branch(0).comp(0).stimulate(step_current(0.5, 1.0, 0.2, 0.025, 2.0));  // ms, ms, nA
  net.cell(2).branch(0).comp(0).record("v");
  return net.lower();
}

struct GoldenCase {
  std::string model;            // folder name under tests/reference/ir/
  std::string variant;          // "" (float64) or "float32"
  std::vector<std::string> stages;
};

// Every (model, precision, stage) whose text is committed. The float32 variant holds only the
// stages whose text differs from float64's (float32 linearizes symbolically).
// For GoogleTest's messages: the case's folder name.
inline void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.model << (c.variant.empty() ? "" : "_" + c.variant); }

inline std::vector<GoldenCase> golden_cases() {
  const std::vector<std::string> cell_stages = {"model", "fuse_mechanisms", "linearize", "fold_constants", "derive_adjoint",
                                                "dhs_schedule", "cuda_source"};
  const std::vector<std::string> float32_stages = {"linearize", "fold_constants", "derive_adjoint", "cuda_source"};
  // The CUDA backend refuses networks with synapses, so the network has no cuda_source.
  const std::vector<std::string> net_stages = {"model", "fuse_mechanisms", "lower_synapses", "linearize", "fold_constants",
                                               "derive_adjoint", "dhs_schedule"};
  return {{"hh_cell", "", cell_stages},
          {"hh_cell", "float32", float32_stages},
          {"mixed_cell", "", cell_stages},
          {"network", "", net_stages}};
}

inline ir::Model golden_model(const std::string& name) {
  if (name == "hh_cell") return golden_hh_cell();
  if (name == "mixed_cell") return golden_mixed_cell();
  if (name == "network") return golden_network();
  fail("unknown golden model '{}'", name);
}

// THE place that says how the text of stage `stage` of a model is obtained: through the api/
// layer, as a user inspects it (CompiledModel::source; float32 implies the exact derivative);
// cuda_source is the CUDA backend's source with arch "none" (no NVRTC, no GPU). llvm_ir is not
// a golden stage: as emitted it already carries the host's target-cpu and target-features.
inline std::string golden_stage_text(const ir::Model& model, const std::string& stage, bool float32) {
  const Stage s = parse_stage(stage);
  if (s == Stage::CudaSource) {
    cuda::CudaOptions o;
    o.float32 = float32;
    o.arch = "none";
    return cuda::compile(model, o).source(cuda::CudaStage::CudaSource);
  }
  CompileOptions o;
  o.float32 = float32;
  return compile(model, o).source(s);
}

}  // namespace ranvier::test
