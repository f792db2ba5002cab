#include "runtime/geometry_vjp.h"

#include <numbers>

#include "ir/error.h"

namespace ranvier::runtime {
namespace {

int col(const ir::Model& m, const char* name) {
  int i = m.column_index(name);
  RANVIER_ASSERT(i >= 0);
  return i;
}

}  // namespace

void axial_conductances_vjp(const ir::Model& model, const std::vector<std::vector<double>>& columns,
                            const std::vector<double>& g_axial, std::vector<std::vector<double>>& g_columns) {
  const int i_ra = col(model, "axial_resistivity"), i_in = col(model, "resistive_load_in"), i_out = col(model, "resistive_load_out");
  const int i_area = col(model, "area"), i_cm = col(model, "capacitance");
  const auto& r_a = columns[i_ra];  // ohm cm
  const auto& area = columns[i_area];  // um^2
  const auto& cm = columns[i_cm];   // uF/cm^2
  auto load = [&](int c, bool out) { return columns[out ? i_out : i_in][c]; };  // 1/um
  // Half-compartment resistance h = load * r_a (ohm cm / um): d h / d load = r_a, d h / d r_a = load.
  auto half_r_vjp = [&](int c, bool out, double g_h) {
    g_columns[out ? i_out : i_in][c] += g_h * r_a[c];
    g_columns[i_ra][c] += g_h * load(c, out);
  };
  for (std::size_t e = 0; e < model.edges.size(); ++e) {
    const auto& edge = model.edges[e];
    const double ge = g_axial[e];
    if (ge == 0.0) continue;
    switch (edge.type) {
      case ir::EdgeType::CompToComp:
      case ir::EdgeType::BranchpointToParent:
      case ir::EdgeType::BranchpointToChild: {
        // g = 1e7 / (R area_sink cm_sink) (1/ms), R the series resistance of the half-compartments.
        const bool comp_pair = edge.type == ir::EdgeType::CompToComp;
        double R = load(edge.sink, edge.ordered == 0) * r_a[edge.sink];
        if (comp_pair) R += load(edge.source, edge.ordered == 1) * r_a[edge.source];
        const int s = edge.sink;
        const double g = 1.0 / R / area[s] / cm[s] * 1e7;
        g_columns[i_area][s] += ge * -g / area[s];
        g_columns[i_cm][s] += ge * -g / cm[s];
        const double g_R = ge * -g / R;
        half_r_vjp(s, edge.ordered == 0, g_R);
        if (comp_pair) half_r_vjp(edge.source, edge.ordered == 1, g_R);
        break;
      }
      case ir::EdgeType::ParentToBranchpoint:
      case ir::EdgeType::ChildToBranchpoint: {
        // G = 1 / (load r_a) of the compartment end (no area, no cm).
        const bool out = edge.type == ir::EdgeType::ParentToBranchpoint;
        const int s = edge.source;
        const double g = 1.0 / load(s, out) * (1.0 / r_a[s]);
        g_columns[out ? i_out : i_in][s] += ge * -g / load(s, out);
        g_columns[i_ra][s] += ge * -g / r_a[s];
        break;
      }
    }
  }
}

void cylinder_geometry_vjp(const ir::Model& model, const std::vector<std::vector<double>>& columns,
                           const std::vector<char>& cylinder, std::vector<std::vector<double>>& g_columns) {
  const int i_l = col(model, "length"), i_r = col(model, "radius"), i_area = col(model, "area"), i_vol = col(model, "volume");
  const int i_in = col(model, "resistive_load_in"), i_out = col(model, "resistive_load_out");
  constexpr double pi = std::numbers::pi;
  for (int c = 0; c < model.n_comp; ++c) {
    if (!cylinder[c]) continue;
    const double l = columns[i_l][c], r = columns[i_r][c];  // um
    // area = 2 pi r l (um^2), volume = pi r^2 l (um^3), load = (l / 2) / (pi r^2) (1/um).
    const double g_load = g_columns[i_in][c] + g_columns[i_out][c];
    const double load = l / 2.0 / (r * r) / pi;
    g_columns[i_r][c] += g_columns[i_area][c] * 2.0 * pi * l + g_columns[i_vol][c] * 2.0 * pi * r * l + g_load * -2.0 * load / r;
    g_columns[i_l][c] += g_columns[i_area][c] * 2.0 * pi * r + g_columns[i_vol][c] * pi * r * r + g_load * load / l;
    g_columns[i_area][c] = g_columns[i_vol][c] = g_columns[i_in][c] = g_columns[i_out][c] = 0.0;
  }
}

}  // namespace ranvier::runtime
