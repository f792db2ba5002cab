// set_ncomp: re-discretise one branch, with the semantics of Jaxley 0.14's
// `Module.set_ncomp` (modules/base.py):
//  * the branch keeps its total length; each new compartment has length sum(old) / ncomp;
//  * every other column (v, capacitance, channel parameters and states...) becomes the mean
//    of the branch's old values (numpy's sum / n, as pandas' mean computes it);
//  * SWC branches (traced points with every radius known: Jaxley's xyzr_is_available) take
//    radius, area, volume and resistive loads of each new compartment from its piece of the
//    traced points; other branches stay cylinders of the branch's radius.
// Like Jaxley it refuses when the result would be ambiguous: compartments of the branch that
// differ in length, capacitance, axial resistivity, radius (non-SWC), channels, channel
// parameters or states, or group membership; or stimuli, clamps, recordings or trainables
// on the module (their compartment indices would move).
//
// Differences from Jaxley (documented in python/README.md):
//  * a channel that is absent from the whole branch is fine (Jaxley's variance check turns
//    its all-NaN column into a spurious "different parameters" error).
// Like Jaxley, x, y, z of the new compartments are the mean of the old ones (as every other
// column); compute_compartment_centers() places them along the branch.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "frontend/module.h"
#include "frontend/swc.h"
#include "ir/error.h"

namespace ranvier {
namespace {

bool same_values(const std::vector<double>& column, int first, int n) {
  for (int k = 1; k < n; ++k) {
    const double a = column[first], b = column[first + k];
    if (!(a == b || (std::isnan(a) && std::isnan(b)))) return false;
  }
  return true;
}

}  // namespace

const View& View::set_ncomp(int ncomp, std::optional<double> min_radius) const {
  Module& m = *module_;
  std::vector<int> branches;
  for (int c : comps_)
    if (branches.empty() || branches.back() != m.branch_of(c)) branches.push_back(m.branch_of(c));
  if (branches.size() != 1)
    fail("set_ncomp: the view selects {} branches; select one with branch(i) (Jaxley changes one branch at a time)",
         branches.size());
  const int b = branches[0];
  if (static_cast<int>(comps_.size()) != m.ncomp_per_branch()[b])
    fail("set_ncomp: the view selects {} of the {} compartments of branch {}; select the whole branch with branch({})",
         comps_.size(), m.ncomp_per_branch()[b], b, b);
  m.set_branch_ncomp(b, ncomp, min_radius);
  return *this;
}

void Module::check_set_ncomp_allowed(int b) const {
  if (n_cells() > 1) fail("set_ncomp on branch {}: not allowed on a network (as in Jaxley); set it on the cells first", b);
  if (!synapses_.empty()) fail("set_ncomp on branch {}: the module has synapses; call set_ncomp before connecting", b);
  if (!stimuli_.empty() || !clamps_.empty())
    fail("set_ncomp on branch {}: the module has stimuli or clamps; call set_ncomp before stimulate/clamp", b);
  if (!recordings_.empty()) fail("set_ncomp on branch {}: the module has recordings; call set_ncomp before record", b);
  if (!trainables_.empty())
    fail("set_ncomp on branch {}: the module has trainable parameters; call set_ncomp before make_trainable", b);
  const int first = first_comp_[b], n = ncomp_[b];
  const bool traced = has_traced_xyzr(b);
  for (const char* key : {"length", "capacitance", "axial_resistivity", "radius"}) {
    if (traced && std::string(key) == "radius") continue;  // recomputed from the traced points
    if (!same_values(column(key), first, n))
      fail("set_ncomp on branch {}: its compartments have different '{}' values; set_ncomp must come before "
           "modifying '{}' of individual compartments",
           b, key, key);
  }
  for (std::size_t m = 0; m < mechanisms_.size(); ++m) {
    for (int k = 1; k < n; ++k)
      if (mechanism_at_[m][first + k] != mechanism_at_[m][first])
        fail("set_ncomp on branch {}: '{}' is inserted in only some of its compartments; set_ncomp must come before "
             "insert",
             b, mechanisms_[m].name);
    for (const auto& p : mechanisms_[m].params)
      if (!same_values(column(p.name), first, n))
        fail("set_ncomp on branch {}: parameter '{}' differs between its compartments", b, p.name);
    for (const auto& s : mechanisms_[m].states)
      if (!same_values(column(s.name), first, n))
        fail("set_ncomp on branch {}: state '{}' differs between its compartments", b, s.name);
  }
  for (const auto& [name, comps] : groups_) {
    const auto in_branch = std::count_if(comps.begin(), comps.end(), [&](int c) { return c >= first && c < first + n; });
    if (in_branch != 0 && in_branch != n)
      fail("set_ncomp on branch {}: {} of its {} compartments are in group '{}'; all or none must be", b, in_branch, n,
           name);
  }
}

void Module::set_branch_ncomp(int b, int ncomp, std::optional<double> min_radius) {
  if (b < 0 || b >= n_branches()) fail("set_ncomp: branch {} does not exist (the module has {})", b, n_branches());
  if (ncomp < 1) fail("set_ncomp on branch {}: ncomp must be at least 1, got {}", b, ncomp);
  if (min_radius && !(*min_radius >= 0.0)) fail("set_ncomp on branch {}: min_radius must be >= 0, got {}", b, *min_radius);
  check_set_ncomp_allowed(b);
  const int first = first_comp_[b], old_n = ncomp_[b], delta = ncomp - old_n;

  // New values of the branch's compartments, per column: the mean of the old ones.
  std::vector<std::vector<double>> new_values(columns_.size());
  for (std::size_t col = 0; col < columns_.size(); ++col) {
    const std::vector<double> old(columns_[col].begin() + first, columns_[col].begin() + first + old_n);
    new_values[col].assign(static_cast<std::size_t>(ncomp), swc::numpy_sum(old) / old_n);
  }
  auto values = [&](const char* key) -> std::vector<double>& { return new_values[column_index(key)]; };
  const double comp_length = swc::numpy_sum(std::vector<double>(column("length").begin() + first,
                                                                column("length").begin() + first + old_n)) /
                             ncomp;  // um
  values("length").assign(static_cast<std::size_t>(ncomp), comp_length);
  if (has_traced_xyzr(b)) {
    const auto pieces = swc::split_xyzr(xyzr_[b], ncomp);
    for (int k = 0; k < ncomp; ++k) {
      const auto a = swc::attributes_from_xyzr(pieces[k], min_radius, ncomp,
                                               fmt::format("set_ncomp on branch {}, new compartment {}", b, k));
      values("radius")[k] = a.radius;
      values("area")[k] = a.area;
      values("volume")[k] = a.volume;
      values("resistive_load_in")[k] = a.resistive_load_in;
      values("resistive_load_out")[k] = a.resistive_load_out;
    }
  } else {
    values("radius").assign(static_cast<std::size_t>(ncomp), column("radius")[first]);  // um
  }

  // Splice the new compartments in; everything after the branch moves by `delta`.
  for (std::size_t col = 0; col < columns_.size(); ++col) {
    auto& column = columns_[col];
    column.erase(column.begin() + first, column.begin() + first + old_n);
    column.insert(column.begin() + first, new_values[col].begin(), new_values[col].end());
  }
  for (auto& at : mechanism_at_) {
    const char present = at[first];
    at.erase(at.begin() + first, at.begin() + first + old_n);
    at.insert(at.begin() + first, static_cast<std::size_t>(ncomp), present);
  }
  for (auto& [name, comps] : groups_) {
    const bool contains = std::binary_search(comps.begin(), comps.end(), first);
    std::vector<int> moved;
    for (int c : comps)
      if (c < first) moved.push_back(c);
      else if (c >= first + old_n) moved.push_back(c + delta);
    if (contains)
      for (int k = 0; k < ncomp; ++k) moved.push_back(first + k);
    std::sort(moved.begin(), moved.end());
    comps = std::move(moved);
  }
  ncomp_[b] = ncomp;
  if (!has_traced_xyzr(b)) {  // cylinder areas, volumes and loads from the new length
    std::vector<int> comps(static_cast<std::size_t>(ncomp));
    for (int k = 0; k < ncomp; ++k) comps[k] = first + k;
    recompute_cylinder(comps);
  }
  first_comp_.assign(ncomp_.size(), 0);
  branch_of_comp_.clear();
  int total = 0;
  for (std::size_t br = 0; br < ncomp_.size(); ++br) {
    first_comp_[br] = total;
    branch_of_comp_.insert(branch_of_comp_.end(), static_cast<std::size_t>(ncomp_[br]), static_cast<int>(br));
    total += ncomp_[br];
  }
}

}  // namespace ranvier
