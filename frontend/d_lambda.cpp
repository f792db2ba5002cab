#include "frontend/d_lambda.h"

#include <cmath>
#include <numbers>

#include "ir/error.h"

namespace ranvier {

namespace {

void check_positive(double value, const char* what) {
  if (!(value > 0.0) || !std::isfinite(value)) fail("d_lambda rule: {} must be > 0 and finite, got {}", what, value);
}

// Length (um) in units of lambda_f -> odd number of segments.
int nseg_from_electrotonic_length(double lam, double d_lambda) {
  return static_cast<int>((lam / d_lambda + 0.9) / 2.0) * 2 + 1;
}

}  // namespace

double lambda_f(double diam_um, double ra_ohm_cm, double cm_uf_per_cm2, double frequency_hz) {
  check_positive(diam_um, "diameter");
  check_positive(ra_ohm_cm, "axial resistivity");
  check_positive(cm_uf_per_cm2, "capacitance");
  check_positive(frequency_hz, "frequency");
  return 1e5 * std::sqrt(diam_um / (4.0 * std::numbers::pi * frequency_hz * ra_ohm_cm * cm_uf_per_cm2));
}

int d_lambda_nseg(double length_um, double diam_um, double ra_ohm_cm, double cm_uf_per_cm2, double frequency_hz,
                  double d_lambda) {
  check_positive(d_lambda, "d_lambda");
  if (!(length_um >= 0.0) || !std::isfinite(length_um)) fail("d_lambda rule: length must be >= 0, got {}", length_um);
  return nseg_from_electrotonic_length(length_um / lambda_f(diam_um, ra_ohm_cm, cm_uf_per_cm2, frequency_hz), d_lambda);
}

std::vector<int> d_lambda_ncomp(const Module& cell, double frequency_hz, double d_lambda) {
  check_positive(frequency_hz, "frequency");
  check_positive(d_lambda, "d_lambda");
  const auto& length = cell.column("length");
  const auto& radius = cell.column("radius");
  const auto& ra = cell.column("axial_resistivity");
  const auto& cm = cell.column("capacitance");
  std::vector<int> out(cell.n_branches());
  for (int b = 0; b < cell.n_branches(); ++b) {
    double lam = 0.0;  // branch length in units of lambda_f
    for (int k = 0; k < cell.ncomp_per_branch()[b]; ++k) {
      const int c = cell.first_comp(b) + k;
      if (!(length[c] >= 0.0)) fail("d_lambda rule: compartment {} has length {}", c, length[c]);
      lam += length[c] / lambda_f(2.0 * radius[c], ra[c], cm[c], frequency_hz);
    }
    out[b] = nseg_from_electrotonic_length(lam, d_lambda);
  }
  return out;
}

}  // namespace ranvier

namespace ranvier {

std::vector<int> apply_d_lambda(Module& cell, double frequency_hz, double d_lambda) {
  const std::vector<int> counts = d_lambda_ncomp(cell, frequency_hz, d_lambda);
  for (int b = 0; b < cell.n_branches(); ++b) cell.set_branch_ncomp(b, counts[b]);
  return counts;
}

}  // namespace ranvier
