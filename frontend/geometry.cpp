// Coordinates of modules (Jaxley's `xyzr` per branch and the x, y, z columns of `nodes`):
// used for plotting, moving and distances, and (traced radii only) by set_ncomp.
#include <cmath>

#include "frontend/module.h"
#include "ir/error.h"

namespace ranvier {

void Module::set_xyzr(int b, std::vector<std::array<double, 4>> points) {
  if (b < 0 || b >= n_branches()) fail("xyzr: branch {} does not exist (the module has {})", b, n_branches());
  if (points.empty()) fail("xyzr of branch {}: needs at least one point (x, y, z, r)", b);
  for (std::size_t i = 0; i < points.size(); ++i)
    for (int k = 0; k < 3; ++k)
      if (std::isinf(points[i][k])) fail("xyzr of branch {}: point {} has coordinate {} = {}", b, i, "xyz"[k], points[i][k]);
  xyzr_[b] = std::move(points);
}

bool Module::has_traced_xyzr(int b) const {
  if (xyzr_[b].empty()) return false;
  for (const auto& p : xyzr_[b])
    if (std::isnan(p[3])) return false;
  return true;
}

void Module::set_coordinates(const std::vector<int>& comps, const std::vector<std::array<double, 3>>& xyz) {
  if (comps.size() != xyz.size()) fail("set_coordinates: {} compartments but {} coordinates", comps.size(), xyz.size());
  for (int c : comps)
    if (c < 0 || c >= n_comp()) fail("set_coordinates: compartment {} does not exist (the module has {})", c, n_comp());
  const char* const names[3] = {"x", "y", "z"};  // um
  for (int k = 0; k < 3; ++k) {
    auto& column = column_or_create(names[k]);
    for (std::size_t i = 0; i < comps.size(); ++i) column[comps[i]] = xyz[i][k];
  }
}

}  // namespace ranvier
