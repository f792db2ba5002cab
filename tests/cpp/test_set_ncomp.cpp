// Per-branch set_ncomp and the d_lambda rule against real Jaxley 0.14.0 (float64):
// tests/reference/set_ncomp/ (make_set_ncomp_refs.py there). Node tables (length, radius,
// area, volume, resistive loads per compartment) must equal Jaxley's to 1e-10 relative, the
// d_lambda counts must be Jaxley's, and HH traces of the re-discretised cells must match to
// 1e-8 mV with the interpreter and the default backend.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "frontend/channels/builtin.h"
#include "frontend/d_lambda.h"
#include "frontend/network.h"
#include "frontend/read_swc.h"
#include "frontend/stimulus.h"
#include "ir/error.h"
#include "api/integrate.h"
#include "test_support.h"

namespace ranvier {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

fs::path ref_dir() { return fs::path(test::source_dir()) / "tests" / "reference" / "set_ncomp"; }
fs::path morph_dir() { return fs::path(test::shared_dir()) / "data" / "morphologies"; }

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  if (!fs::exists(ref_dir())) return names;
  for (const auto& e : fs::directory_iterator(ref_dir()))
    if (e.path().extension() == ".json") names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Shared morphologies, or SWC files kept beside the references ("local": true).
fs::path swc_path(const json& spec) {
  const std::string file = spec.at("file").get<std::string>();
  return spec.value("local", false) ? ref_dir() / file : morph_dir() / file;
}

json load(const std::string& name) {
  std::ifstream in(ref_dir() / name);
  return json::parse(in);
}

// The cell of a case, re-discretised like the reference script did.
Cell build(const json& spec) {
  if (spec.at("file").is_null()) {
    Cell cell(Branch(Compartment(), 4), {-1, 0, 0, 1});
    const auto counts = spec.at("ncomp").get<std::vector<int>>();
    for (int b = 0; b < cell.n_branches(); ++b) cell.branch(b).set_ncomp(counts[b]);
    return cell;
  }
  swc::ReadOptions options;
  options.ncomp = spec.at("read_ncomp").get<int>();
  Cell cell = ranvier::read_swc(swc_path(spec).string(), options);
  if (spec.contains("d_lambda")) {
    const auto counts = apply_d_lambda(cell, spec.at("frequency_hz").get<double>(), spec.at("d_lambda").get<double>());
    EXPECT_EQ(counts, spec.at("ncomp").get<std::vector<int>>()) << "d_lambda counts differ from Jaxley's recipe";
  } else {
    const auto counts = spec.at("ncomp").get<std::vector<int>>();
    for (int b = 0; b < cell.n_branches(); ++b) cell.branch(b).set_ncomp(counts[b]);
  }
  return cell;
}

TEST(SetNcomp, ReferencesPresent) { EXPECT_GE(case_names().size(), 10u); }

class SetNcompCase : public ::testing::TestWithParam<std::string> {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SetNcompCase);  // no references: ReferencesPresent fails

TEST_P(SetNcompCase, NodeTableAndTraceMatchJaxley) {
  const json spec = load(GetParam());
  if (!spec.at("file").is_null() && !fs::exists(swc_path(spec)))
    GTEST_SKIP() << "shared morphology missing";
  if (spec.contains("jaxley_error")) {  // Jaxley refuses one branch: so must Ranvier, clearly
    swc::ReadOptions options;
    options.ncomp = spec.at("read_ncomp").get<int>();
    Cell cell = ranvier::read_swc(swc_path(spec).string(), options);
    const auto counts = spec.at("ncomp").get<std::vector<int>>();
    const int failed = spec.at("failed_branch").get<int>();
    for (int b = 0; b < failed; ++b) cell.branch(b).set_ncomp(counts[b]);
    EXPECT_THROW(cell.branch(failed).set_ncomp(counts[failed]), Error) << "Jaxley: " << spec.at("jaxley_error");
    return;
  }
  Cell cell = build(spec);
  const json& nodes = spec.at("nodes");
  const auto branch = nodes.at("branch").get<std::vector<int>>();
  ASSERT_EQ(cell.n_comp(), static_cast<int>(branch.size()));
  for (int c = 0; c < cell.n_comp(); ++c) ASSERT_EQ(cell.branch_of(c), branch[c]) << "compartment " << c;
  for (const char* key : {"length", "radius", "area", "volume", "resistive_load_in", "resistive_load_out"}) {
    const auto expected = nodes.at(key).get<std::vector<double>>();
    const auto& got = cell.column(key);
    for (int c = 0; c < cell.n_comp(); ++c)
      EXPECT_LE(std::abs(got[c] - expected[c]), 1e-10 * std::abs(expected[c]))
          << GetParam() << " " << key << " at compartment " << c << ": " << got[c] << " vs " << expected[c];
  }
  if (!spec.contains("trace")) return;

  const json& tr = spec.at("trace");
  const double dt = tr.at("delta_t").get<double>(), t_max = tr.at("t_max").get<double>();
  cell.set("axial_resistivity", 100.0);
  cell.insert(channels::HH());
  cell.set("v", -65.0);
  cell.init_states(dt);
  cell.branch(tr.at("stim_branch").get<int>()).comp(0).stimulate(step_current(1.0, 5.0, tr.at("amp_nA").get<double>(), dt, t_max));
  for (int b : tr.at("record_branches").get<std::vector<int>>()) cell.branch(b).comp(0).record("v");
  const auto expected = tr.at("v").get<std::vector<std::vector<double>>>();
  for (const std::string backend : {"interpreter", "auto"}) {
    IntegrateOptions opt;
    opt.t_max = t_max;
    opt.delta_t = dt;
    opt.backend = backend;
    const Result r = integrate(cell, opt);
    ASSERT_EQ(static_cast<std::size_t>(r.n_recordings), expected.size());
    for (int i = 0; i < r.n_recordings; ++i) {
      ASSERT_EQ(static_cast<std::size_t>(r.n_samples), expected[i].size());
      double worst = 0.0;
      for (int t = 0; t < r.n_samples; ++t) {
        const double d = std::abs(r(i, t) - expected[i][t]);
        if (!(d <= worst)) worst = d;  // also catches NaN
      }
      EXPECT_LT(worst, 1e-8) << GetParam() << " [" << backend << "] recording " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Jaxley, SetNcompCase, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string n = param_info.param.substr(0, param_info.param.size() - 5);
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

// The rules Jaxley enforces, with messages that name the branch and the reason.
TEST(SetNcomp, RefusesAmbiguousOrLateChanges) {
  Cell cell(Branch(Compartment(), 3), {-1, 0});
  EXPECT_THROW(cell.view().set_ncomp(2), Error);            // two branches selected
  EXPECT_THROW(cell.branch(0).comp(1).set_ncomp(2), Error);  // part of a branch
  EXPECT_THROW(cell.branch(0).set_ncomp(0), Error);
  cell.branch(1).comp(0).set("radius", 2.0);
  try {
    cell.branch(1).set_ncomp(2);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'radius'"), std::string::npos) << e.what();
  }
  cell.branch(0).comp(0).insert(channels::HH());
  EXPECT_THROW(cell.branch(0).set_ncomp(4), Error);  // HH in only some compartments
  Network net({Cell(Branch(Compartment(), 2), {-1}), Cell(Branch(Compartment(), 2), {-1})});
  EXPECT_THROW(net.cell(0).branch(0).set_ncomp(3), Error);
  Cell recorded(Branch(Compartment(), 3), {-1, 0});
  recorded.branch(0).comp(0).record("v");
  EXPECT_THROW(recorded.branch(1).set_ncomp(2), Error);
}

// Growing and shrinking keeps the branch length, moves later compartments, carries channels
// and groups along, and a model built afterwards simulates.
TEST(SetNcomp, KeepsLengthChannelsAndLaterBranches) {
  Cell cell(Branch(Compartment(), 2), {-1, 0, 0});
  cell.insert(channels::HH());
  cell.branch(2).set("HH_gNa", 0.2);
  cell.branch(1).set_ncomp(5);
  ASSERT_EQ(cell.n_comp(), 9);
  EXPECT_EQ(cell.first_comp(2), 7);
  double total = 0.0;
  for (int k = 0; k < 5; ++k) total += cell.column("length")[cell.first_comp(1) + k];
  EXPECT_NEAR(total, 20.0, 1e-12);
  EXPECT_EQ(cell.column("HH_gNa")[7], 0.2);
  EXPECT_TRUE(cell.has_mechanism(0, 5));
  cell.branch(1).set_ncomp(1);
  EXPECT_EQ(cell.n_comp(), 5);
  EXPECT_NEAR(cell.column("length")[2], 20.0, 1e-12);
  cell.branch(0).comp(0).record("v");
  IntegrateOptions opt;
  opt.t_max = 1.0;  // ms
  const Result r = integrate(cell, opt);
  EXPECT_EQ(r.n_samples, 41);
}

// Jaxley cannot re-discretise a single-point soma read with ncomp >= 2 (its traced points
// collapse to zero length); Ranvier refuses it with a message instead of a NaN radius.
TEST(SetNcomp, SinglePointSomaReadWithTwoCompartmentsIsRefused) {
  const fs::path swc = morph_dir() / "morph_3_types_single_point_soma.swc";
  if (!fs::exists(swc)) GTEST_SKIP() << "shared morphology missing";
  swc::ReadOptions options;
  options.ncomp = 2;
  Cell cell = ranvier::read_swc(swc.string(), options);
  const int soma = cell.group("soma").comps().front();
  EXPECT_THROW(cell.branch(cell.branch_of(soma)).set_ncomp(3), Error);
}

}  // namespace
}  // namespace ranvier
