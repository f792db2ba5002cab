// HH voltage traces on reconstructed morphologies against real Jaxley 0.14.0 (float64):
// tests/reference/swc_traces/ (make_swc_trace_refs.py there). Each case: read_swc(ncomp),
// axial_resistivity 100, HH everywhere, v -65 + init_states, a step current into the soma,
// v recorded at the soma and at a few other compartments; must match to 1e-8 mV with the
// reference interpreter and with the default backend ("auto": the LLVM JIT when linked).
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "frontend/channels/builtin.h"
#include "frontend/read_swc.h"
#include "frontend/stimulus.h"
#include "api/integrate.h"
#include "test_support.h"

namespace ranvier {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
constexpr double kTolerance = 1e-8;  // mV

fs::path ref_dir() { return fs::path(test::source_dir()) / "tests" / "reference" / "swc_traces"; }
fs::path morph_dir() { return fs::path(test::shared_dir()) / "data" / "morphologies"; }

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  std::ifstream in(ref_dir() / "manifest.json");
  if (!in) return names;
  const json manifest = json::parse(in);  // kept alive: a range-for over parse(in).at() dangles
  for (const auto& c : manifest.at("cases")) names.push_back(c.get<std::string>());
  return names;
}

TEST(SwcTraces, ManifestHasCases) { EXPECT_GE(case_names().size(), 8u); }

class SwcTrace : public ::testing::TestWithParam<std::string> {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SwcTrace);  // no manifest: ManifestHasCases fails

TEST_P(SwcTrace, MatchesJaxley) {
  std::ifstream in(ref_dir() / GetParam());
  ASSERT_TRUE(in.good()) << GetParam();
  const json spec = json::parse(in);
  const fs::path swc = morph_dir() / spec.at("file").get<std::string>();
  if (!fs::exists(swc)) GTEST_SKIP() << "shared morphology missing: " << swc;

  swc::ReadOptions options;
  options.ncomp = spec.at("ncomp").get<int>();
  Cell cell = ranvier::read_swc(swc.string(), options);
  ASSERT_EQ(cell.n_branches(), spec.at("n_branches").get<int>());
  ASSERT_EQ(cell.n_comp(), spec.at("n_compartments").get<int>());

  const double dt = spec.at("delta_t").get<double>(), t_max = spec.at("t_max").get<double>();
  cell.set("axial_resistivity", spec.at("axial_resistivity").get<double>());
  cell.insert(channels::HH());
  cell.set("v", spec.at("v_init").get<double>());
  cell.init_states(dt);
  const auto& st = spec.at("stimulus");
  if (st.at("stimulus_in_soma_group").get<bool>()) {
    // The stimulated compartment is the first compartment of the soma group.
    const int first_soma_comp = cell.first_comp(st.at("branch").get<int>()) + st.at("comp").get<int>();
    EXPECT_EQ(cell.branch_of(first_soma_comp), st.at("branch").get<int>());
  }
  cell.branch(st.at("branch").get<int>())
      .comp(st.at("comp").get<int>())
      .stimulate(step_current(st.at("delay_ms").get<double>(), st.at("dur_ms").get<double>(),
                              st.at("amp_nA").get<double>(), dt, t_max));
  for (const auto& r : spec.at("record")) cell.branch(r.at("branch").get<int>()).comp(r.at("comp").get<int>()).record("v");

  const auto csv = test::read_csv((ref_dir() / spec.at("csv").get<std::string>()).string());
  for (const std::string backend : {"interpreter", "auto"}) {
    IntegrateOptions opt;
    opt.t_max = t_max;
    opt.delta_t = dt;
    opt.backend = backend;
    const Result r = integrate(cell, opt);
    ASSERT_EQ(static_cast<std::size_t>(r.n_recordings) + 1, csv.header.size());
    for (int i = 0; i < r.n_recordings; ++i) {
      const auto& expected = csv.columns[i + 1];
      ASSERT_EQ(static_cast<std::size_t>(r.n_samples), expected.size());
      double worst = 0.0;
      int at = 0;
      for (int t = 0; t < r.n_samples; ++t) {
        const double d = std::abs(r(i, t) - expected[t]);
        if (!(d <= worst)) worst = d, at = t;  // also catches NaN
      }
      EXPECT_LT(worst, kTolerance) << GetParam() << " [" << backend << "] " << csv.header[i + 1]
                                   << ": max |ranvier - jaxley| = " << worst << " mV at sample " << at;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Morphologies, SwcTrace, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string n = param_info.param.substr(0, param_info.param.size() - 5);
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace ranvier
