#include "tools/model_file.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "frontend/channels/builtin.h"
#include "frontend/read_swc.h"
#include "frontend/stimulus.h"
#include "ir/error.h"

namespace ranvier::tools {

namespace {

// nlohmann's "[json.exception.type_error.302] type must be number, but is string" without the
// library's tag, for a message that names the file instead.
std::string json_message(const std::exception& e) {
  std::string m = e.what();
  if (m.rfind("[json.exception.", 0) == 0)
    if (auto close = m.find("] "); close != std::string::npos) m = m.substr(close + 2);
  return m;
}

ModelFile build_model_file(const nlohmann::json& j, const std::string& path, double t_max, double dt) {
  const std::string kind = j.value("kind", "tree");
  ModelFile mf{Cell(), 0.12, t_max > 0 ? t_max : j.value("t_max_ms", 100.0), dt > 0 ? dt : j.value("dt_ms", 0.025)};
  if (kind == "tree") {
    auto parents = j.at("parents").get<std::vector<int>>();
    const int nseg = j.at("nseg");
    mf.cell = Cell(Branch(Compartment(), nseg), parents);
    auto lengths = j.at("length_um").get<std::vector<double>>();
    auto radii = j.at("radius_um").get<std::vector<double>>();
    if (lengths.size() != parents.size() || radii.size() != parents.size())
      fail("model file '{}': length_um and radius_um need one value per section ({})", path, parents.size());
    for (std::size_t s = 0; s < parents.size(); ++s) {
      mf.cell.branch(static_cast<int>(s)).set("length", lengths[s] / nseg);  // um per compartment
      mf.cell.branch(static_cast<int>(s)).set("radius", radii[s]);
    }
  } else if (kind == "swc") {
    swc::ReadOptions o;
    o.ncomp = j.at("ncomp");
    mf.cell = ranvier::read_swc(j.at("swc").get<std::string>(), o);
  } else {
    fail("model file '{}': unknown kind '{}' (tree or swc)", path, kind);
  }
  Cell& cell = mf.cell;
  cell.set("axial_resistivity", j.value("Ra", j.value("Ra_ohm_cm", 100.0)));  // ohm cm
  cell.set("capacitance", j.value("cm", 1.0));                                // uF/cm^2
  cell.insert(channels::HH());
  if (j.contains("hh"))
    for (auto& [key, value] : j.at("hh").items()) cell.set("HH_" + key, value.get<double>());
  mf.gNa = cell.column("HH_gNa")[0];
  cell.set("v", j.value("v_init_mV", -70.0));
  if (j.value("init", std::string("steady_state")) == "steady_state") cell.init_states(mf.dt);
  const auto& s = j.at("stim");
  cell.branch(s.at("section").get<int>()).comp(s.at("seg").get<int>())
      .stimulate(step_current(s.at("delay_ms"), s.at("dur_ms"), s.at("amp_nA"), mf.dt, mf.t_max));
  const auto& r = j.at("record");
  cell.branch(r.at("section").get<int>()).comp(r.at("seg").get<int>()).record("v");
  return mf;
}

}  // namespace

ModelFile load_model_file(const std::string& path, double t_max, double dt) {
  std::ifstream in(path);
  if (!in) fail("cannot open model file '{}'", path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    fail("model file '{}' is not valid JSON: {}", path, json_message(e));
  }
  try {
    return build_model_file(j, path, t_max, dt);
  } catch (const nlohmann::json::exception& e) {
    // A missing key or a value of the wrong type.
    fail("model file '{}': {}", path, json_message(e));
  }
}

Cell example_cell() {
  Cell cell(Branch(Compartment(), 4), {-1, 0, 0, 1, 1, 2, 2});
  cell.branch(0).set("radius", 5.0);  // um
  cell.branch(0).set("length", 5.0);  // um per compartment
  for (int b = 1; b < 7; ++b) {
    cell.branch(b).set("radius", b < 3 ? 1.0 : 0.5);
    cell.branch(b).set("length", 100.0);  // um per compartment
  }
  cell.set("axial_resistivity", 100.0);  // ohm cm
  cell.insert(channels::HH());
  cell.set("v", -65.0);  // mV, HH's resting potential
  cell.init_states();    // gates at steady state for v
  return cell;
}

}  // namespace ranvier::tools
