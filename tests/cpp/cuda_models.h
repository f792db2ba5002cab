#pragma once
// Models for the CUDA backend's tests: every Jaxley case, NEURON-like cells, random trees and
// an SWC reconstruction, each as (name, model IR).
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "frontend/channels/builtin.h"
#include "frontend/module.h"
#include "frontend/read_swc.h"
#include "frontend/stimulus.h"
#include "jaxley_case.h"
#include "random_model.h"
#include "test_support.h"

namespace ranvier::test {

// The fixed small model of the golden-file test: 2 branches of 2 HH compartments.
inline Cell golden_cell() {
  Cell cell(Branch(Compartment(), 2), {-1, 0});
  cell.insert(channels::HH());
  cell.branch(0).comp(0).stimulate(step_current(0.5, 3.0, 0.2, 0.025, 5.0));
  cell.branch(0).comp(0).record("v");
  cell.branch(1).comp(1).record("v");
  cell.branch(1).comp(0).record("HH_m");
  return cell;
}

// NEURON reference-like cells (tests/cpp/test_neuron_reference.cpp builds the same shapes).
inline std::vector<std::pair<std::string, ir::Model>> neuron_models() {
  std::vector<std::pair<std::string, ir::Model>> out;
  {
    Compartment comp;
    comp.set("axial_resistivity", 100.0);
    comp.insert(channels::HH());
    comp.init_states();
    comp.stimulate(step_current(1.0, 15.0, 0.03, 0.025, 20.0));
    comp.record("v");
    out.emplace_back("neuron_case1_single_hh", comp.lower());
  }
  {
    Cell cable(Branch(Compartment(), 10), {-1});
    cable.set("axial_resistivity", 100.0);
    cable.insert(channels::Leak());
    cable.branch(0).comp(0).stimulate(step_current(1.0, 15.0, 0.1, 0.025, 20.0));
    cable.branch(0).comp(9).record("v");
    out.emplace_back("neuron_case2_passive_cable", cable.lower());
  }
  {
    Cell cell(Branch(Compartment(), 4), {-1, 0, 0, 1, 1, 2, 2});
    cell.set("axial_resistivity", 100.0);
    cell.insert(channels::HH());
    cell.init_states();
    cell.branch(0).comp(0).stimulate(step_current(1.0, 15.0, 0.8, 0.025, 20.0));
    for (int b = 0; b < 7; ++b) cell.branch(b).comp(3).record("v");
    out.emplace_back("neuron_case3_tree7_hh", cell.lower());
  }
  return out;
}

inline std::vector<std::pair<std::string, ir::Model>> jaxley_models() {
  std::vector<std::pair<std::string, ir::Model>> out;
  for (const auto& c : jaxley_cases()) out.emplace_back("jaxley_" + c.at("name").get<std::string>(), build_case(c)->lower());
  return out;
}

inline std::vector<std::pair<std::string, ir::Model>> random_models(int n) {
  std::vector<std::pair<std::string, ir::Model>> out;
  for (int seed = 0; seed < n; ++seed) out.emplace_back("random_" + std::to_string(seed), random_model(static_cast<std::uint64_t>(seed)).cell->lower());
  return out;
}

// A CA1 reconstruction with HH everywhere (empty when the shared morphologies are missing).
inline std::vector<std::pair<std::string, ir::Model>> swc_models() {
  const std::filesystem::path swc = std::filesystem::path(shared_dir()) / "data" / "morphologies" / "morph_ca1_n120.swc";
  if (!std::filesystem::exists(swc)) return {};
  swc::ReadOptions options;
  options.ncomp = 2;
  Cell cell = ranvier::read_swc(swc.string(), options);
  cell.insert(channels::HH());
  cell.branch(0).comp(0).stimulate(step_current(1.0, 5.0, 0.5, 0.025, 10.0));
  cell.branch(0).comp(0).record("v");
  cell.branch(cell.n_branches() - 1).comp(1).record("v");
  return {{"swc_ca1_n120", cell.lower()}};
}

}  // namespace ranvier::test
