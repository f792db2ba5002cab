// Every case of tests/reference/jaxley/cases.json against real Jaxley 0.14 (float64) traces:
// each solver, each voltage solver, each built-in channel, clamps, time grids, continuation.
#include <cmath>

#include <gtest/gtest.h>

#include "jaxley_case.h"

namespace ranvier {
namespace {

constexpr double kTolerance = 1e-8;  // in the recorded state's unit (mV for v)

class JaxleyCase : public ::testing::TestWithParam<std::string> {};

test::json find_case(const std::string& name) {
  for (const auto& c : test::jaxley_cases())
    if (c.at("name") == name) return c;
  throw std::runtime_error("no case " + name);
}

void compare(const Result& r, const std::string& csv_path, const std::string& what) {
  auto csv = test::read_csv(csv_path);
  ASSERT_EQ(static_cast<std::size_t>(r.n_recordings) + 1, csv.header.size()) << what << ": number of recordings";
  for (int i = 0; i < r.n_recordings; ++i) {
    const auto& expected = csv.columns[i + 1];
    ASSERT_EQ(static_cast<std::size_t>(r.n_samples), expected.size()) << what << " " << csv.header[i + 1] << ": number of samples";
    double worst = 0.0;
    int at = 0;
    for (int t = 0; t < r.n_samples; ++t) {
      double d = std::abs(r(i, t) - expected[t]);
      if (!(d <= worst)) worst = d, at = t;  // also catches NaN
    }
    EXPECT_LT(worst, kTolerance) << what << " " << csv.header[i + 1] << ": max |ranvier - jaxley| = " << worst << " at sample " << at;
  }
}

TEST_P(JaxleyCase, MatchesJaxley) {
  const test::json c = find_case(GetParam());
  auto module = test::build_case(c);
  IntegrateOptions opt = test::integrate_options(c.at("integrate"));
  const std::string dir = test::source_dir() + "/tests/reference/jaxley/";
  opt.return_states = c.contains("continue");
  Result first = integrate(*module, opt);
  compare(first, dir + GetParam() + ".csv", GetParam());
  if (c.contains("continue")) {
    IntegrateOptions next = test::integrate_options(c.at("continue"));
    next.all_states = first.states;
    compare(integrate(*module, next), dir + GetParam() + ".continue.csv", GetParam() + " (continued)");
  }
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& c : test::jaxley_cases()) names.push_back(c.at("name"));
  return names;
}

INSTANTIATE_TEST_SUITE_P(Reference, JaxleyCase, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) { return param_info.param; });

}  // namespace
}  // namespace ranvier
