#pragma once
// NEURON's d_lambda rule (the NEURON book, ch. 5, "geom_nseg"; stdlib.hoc's lambda_f):
//
//   nseg = int((L / (d_lambda * lambda_f(f)) + 0.9) / 2) * 2 + 1
//
// lambda_f(f) is the AC length constant at frequency f (Hz), in um:
//   lambda_f = 1e5 * sqrt(diam / (4 * pi * f * Ra * cm))   (diam um, Ra ohm cm, cm uF/cm^2)
// For a section with 3-d points, stdlib.hoc's lambda_f instead integrates along them,
//   lam = sqrt(2) * 1e-5 * sqrt(4 pi f Ra cm) * sum_i (arc_i - arc_{i-1}) / sqrt(d_{i-1} + d_i)
// (the section's length in units of lambda) and returns L / lam.
//
// d_lambda_ncomp applies this per branch of a Ranvier/Jaxley module, treating each compartment
// as a cylinder (its `length`, diameter 2 * `radius`, and its own `axial_resistivity` and
// `capacitance`): the electrotonic length of the branch is
//   lam_b = sum_c length_c * 1e-5 * sqrt(4 pi f Ra_c cm_c / (2 r_c)),
// which is stdlib.hoc's 3-d formula with piecewise-constant diameter; for a branch of one
// compartment, or of equal compartments, it is exactly L / lambda_f with the formula above
// (L = the branch length = the sum of its compartment lengths). The result is
//   ncomp_b = int((lam_b / d_lambda + 0.9) / 2) * 2 + 1        (odd, >= 1).
// (NEURON's CellBuilder exports the same rule with + 0.999 instead of + 0.9; this uses the
// book's / geom_nseg's + 0.9.)
//
// apply_d_lambda re-discretises every branch with these counts (View::set_ncomp), as Jaxley's
// d_lambda recipe does: read the SWC file with ncomp 1 first, so that each branch is one
// compartment with the branch's length-weighted mean radius, which is the diameter lambda_f
// uses for a section without 3-d points.
#include <vector>

#include "frontend/module.h"

namespace ranvier {

// AC length constant (um) of a cylinder of diameter `diam_um` at `frequency_hz`.
double lambda_f(double diam_um, double ra_ohm_cm, double cm_uf_per_cm2, double frequency_hz = 100.0);

// The d_lambda rule for one cylinder of length `length_um`.
int d_lambda_nseg(double length_um, double diam_um, double ra_ohm_cm, double cm_uf_per_cm2,
                  double frequency_hz = 100.0, double d_lambda = 0.1);

// One count per branch of `cell` (branch order of the module); see above.
// Throws ranvier::Error for a non-positive frequency or d_lambda, or a compartment with
// non-positive radius, axial resistivity or capacitance.
std::vector<int> d_lambda_ncomp(const Module& cell, double frequency_hz = 100.0, double d_lambda = 0.1);

// set_ncomp on every branch with d_lambda_ncomp's counts; returns the counts.
std::vector<int> apply_d_lambda(Module& cell, double frequency_hz = 100.0, double d_lambda = 0.1);

}  // namespace ranvier
