#pragma once
// Builds the networks of tests/reference/jaxley_net/cases.json (format: FORMAT.md there) in
// Ranvier, so the same description drives real Jaxley (make_network_refs.py) and Ranvier.
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "frontend/channels/builtin.h"
#include "frontend/connect.h"
#include "frontend/network.h"
#include "frontend/stimulus.h"
#include "frontend/synapses/builtin.h"
#include "api/integrate.h"
#include "test_support.h"

namespace ranvier::test {

using json = nlohmann::json;

inline std::vector<json> network_cases() {
  std::ifstream in(source_dir() + "/tests/reference/jaxley_net/cases.json");
  return json::parse(in).at("cases").get<std::vector<json>>();
}

inline json network_case(const std::string& name) {
  for (const auto& c : network_cases())
    if (c.at("name") == name) return c;
  throw std::runtime_error("no network case " + name);
}

inline Cell build_net_cell(const json& spec) {
  std::vector<int> parents = spec.value("parents", std::vector<int>{-1});
  std::vector<Branch> branches;
  if (spec.at("ncomp").is_number()) branches.assign(parents.size(), Branch(Compartment(), spec.at("ncomp").get<int>()));
  else
    for (int n : spec.at("ncomp").get<std::vector<int>>()) branches.emplace_back(Compartment(), n);
  Cell cell(branches, parents);
  // Channels inserted into the cell before it joins the network.
  for (const auto& name : spec.value("channels", std::vector<std::string>{})) cell.insert(channels::by_name(name));
  if (spec.contains("v")) cell.set("v", spec.at("v").get<double>());
  return cell;
}

inline Index json_index(const json& x) { return x.is_string() ? Index(x.get<std::string>()) : Index(x.get<int>()); }

inline View net_view(Network& net, const json& v) {
  View view = v.contains("cell") ? net.cell(json_index(v.at("cell"))) : net.view();
  if (v.contains("branch")) view = view.branch(json_index(v.at("branch")));
  if (v.contains("comp")) view = view.comp(json_index(v.at("comp")));
  if (v.contains("loc")) view = view.loc(v.at("loc").get<double>());
  return view;
}

inline SynapseView edge_view(Network& net, const json& op) {
  SynapseView v = net.synapses(op.at("synapse").get<std::string>());
  if (op.contains("edge")) v = v.edge(json_index(op.at("edge")));
  return v;
}

inline std::vector<std::vector<bool>> json_matrix(const json& rows) {
  std::vector<std::vector<bool>> m;
  for (const auto& r : rows) {
    std::vector<bool> row;
    for (char ch : r.get<std::string>()) row.push_back(ch == '1');
    m.push_back(row);
  }
  return m;
}

inline std::unique_ptr<Network> build_network_case(const json& c) {
  std::vector<Cell> cells;
  for (const auto& spec : c.at("cells")) cells.push_back(build_net_cell(spec));
  auto net = std::make_unique<Network>(cells);
  for (const json& op : c.at("ops")) {
    const std::string kind = op.at("op");
    if (kind == "insert") net_view(*net, op.at("view")).insert(channels::by_name(op.at("channel")));
    else if (kind == "set") net_view(*net, op.at("view")).set(op.at("key"), op.at("value"));
    else if (kind == "connect")
      connect(net_view(*net, op.at("pre")), net_view(*net, op.at("post")), synapses::by_name(op.at("synapse")));
    else if (kind == "fully_connect")
      fully_connect(net_view(*net, op.at("pre")), net_view(*net, op.at("post")), synapses::by_name(op.at("synapse")));
    else if (kind == "connectivity_matrix_connect")
      connectivity_matrix_connect(net_view(*net, op.at("pre")), net_view(*net, op.at("post")), synapses::by_name(op.at("synapse")),
                                  json_matrix(op.at("matrix")));
    else if (kind == "set_edge") edge_view(*net, op).set(op.at("key"), op.at("value"));
    else if (kind == "make_trainable_edge") edge_view(*net, op).make_trainable(op.at("key"));
    else if (kind == "make_trainable") net_view(*net, op.at("view")).make_trainable(op.at("key"));
    else if (kind == "stimulate") {
      const json& s = op.at("current").at("step_current");
      net_view(*net, op.at("view")).stimulate(step_current(s.at("i_delay"), s.at("i_dur"), s.at("i_amp"), s.at("delta_t"), s.at("t_max")));
    } else if (kind == "record") net_view(*net, op.at("view")).record(op.at("state"));
    else if (kind == "record_edge") edge_view(*net, op).record(op.at("state"));
    else throw std::runtime_error("unknown op " + kind);
  }
  return net;
}

inline IntegrateOptions network_options(Network& net, const json& s) {
  IntegrateOptions o;
  o.t_max = s.at("t_max").get<double>();
  o.delta_t = s.at("delta_t");
  o.solver = s.at("solver");
  o.voltage_solver = s.at("voltage_solver");
  if (s.contains("params")) o.params = s.at("params").get<std::vector<std::vector<double>>>();
  if (s.contains("data_set"))
    for (const json& d : s.at("data_set")) o.param_state.push_back({d.at("key"), edge_view(net, d).edges(), {d.at("value").get<double>()}});
  return o;
}

}  // namespace ranvier::test
