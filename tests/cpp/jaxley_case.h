#pragma once
// Builds the models of tests/reference/jaxley/cases.json (format: FORMAT.md there) in Ranvier,
// so the same description drives real Jaxley (make_jaxley_refs.py) and Ranvier.
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "frontend/channels/builtin.h"
#include "frontend/module.h"
#include "frontend/stimulus.h"
#include "api/integrate.h"
#include "test_support.h"

namespace ranvier::test {

using json = nlohmann::json;

inline std::vector<json> jaxley_cases() {
  std::ifstream in(source_dir() + "/tests/reference/jaxley/cases.json");
  json j = json::parse(in);
  return j.at("cases").get<std::vector<json>>();
}

inline std::unique_ptr<Module> build_module(const json& spec) {
  const std::string type = spec.at("type");
  if (type == "compartment") return std::make_unique<Compartment>();
  if (type == "branch") return std::make_unique<Branch>(Compartment(), spec.at("ncomp").get<int>());
  auto parents = spec.at("parents").get<std::vector<int>>();
  if (spec.at("ncomp").is_number()) return std::make_unique<Cell>(Branch(Compartment(), spec.at("ncomp").get<int>()), parents);
  std::vector<Branch> branches;
  for (int n : spec.at("ncomp").get<std::vector<int>>()) branches.emplace_back(Compartment(), n);
  return std::make_unique<Cell>(branches, parents);
}

inline View build_view(Module& m, const json& v) {
  View view = m.view();
  auto index = [](const json& x) { return x.is_string() ? Index(x.get<std::string>()) : Index(x.get<int>()); };
  if (v.contains("branch")) view = view.branch(index(v.at("branch")));
  if (v.contains("comp")) view = view.comp(index(v.at("comp")));
  if (v.contains("loc")) view = view.loc(v.at("loc").get<double>());
  return view;
}

inline std::vector<double> build_current(const json& c) {
  if (c.contains("step_current")) {
    const json& s = c.at("step_current");
    return step_current(s.at("i_delay"), s.at("i_dur"), s.at("i_amp"), s.at("delta_t"), s.at("t_max"), s.value("i_offset", 0.0));
  }
  if (c.contains("constant")) return std::vector<double>(c.at("length").get<std::size_t>(), c.at("constant").get<double>());
  return c.at("values").get<std::vector<double>>();
}

inline void apply_ops(Module& m, const json& ops) {
  for (const json& op : ops) {
    const std::string kind = op.at("op");
    if (kind == "set") build_view(m, op.at("view")).set(op.at("key"), op.at("value"));
    else if (kind == "insert") build_view(m, op.at("view")).insert(channels::by_name(op.at("channel")));
    else if (kind == "init_states") m.init_states(op.value("delta_t", 0.025));
    else if (kind == "stimulate") build_view(m, op.at("view")).stimulate(build_current(op.at("current")));
    else if (kind == "clamp") build_view(m, op.at("view")).clamp(op.at("state"), build_current(op.at("values")));
    else if (kind == "record") build_view(m, op.at("view")).record(op.at("state"));
    else throw std::runtime_error("unknown op " + kind);
  }
}

inline IntegrateOptions integrate_options(const json& s) {
  IntegrateOptions o;
  if (!s.at("t_max").is_null()) o.t_max = s.at("t_max").get<double>();
  o.delta_t = s.at("delta_t");
  o.solver = s.at("solver");
  o.voltage_solver = s.at("voltage_solver");
  return o;
}

// The module of a case, with its ops applied.
inline std::unique_ptr<Module> build_case(const json& c) {
  auto m = build_module(c.at("module"));
  if (c.contains("solver_setup")) m->set_allowed_nodes_per_level(c.at("solver_setup").at("allowed_nodes_per_level"));
  apply_ops(*m, c.at("ops"));
  return m;
}

}  // namespace ranvier::test
