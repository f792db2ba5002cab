#include "frontend/read_swc.h"

#include <map>

#include "ir/error.h"

namespace ranvier {

Cell read_swc(const std::string& path, const swc::ReadOptions& options) {
  return cell_from_morphology(swc::read_swc(path, options));
}

Cell cell_from_morphology(const swc::Morphology& m) {
  if (m.branches.empty()) fail("the morphology has no branches");
  std::vector<Branch> branches;
  for (const auto& b : m.branches) branches.emplace_back(Compartment(), static_cast<int>(b.size()));
  Cell cell(branches, m.parents);
  cell.adopt_geometry(m);
  return cell;
}

void Module::adopt_geometry(const swc::Morphology& m) {
  std::vector<double> length, radius, area, volume, load_in, load_out, x, y, z;
  // Groups in alphabetical order, as Jaxley's from_graph adds them (pandas groupby on the names).
  std::map<std::string, std::vector<int>> groups;
  int comp = 0;
  RANVIER_ASSERT(m.branches.size() == xyzr_.size());
  for (std::size_t b = 0; b < m.branches.size(); ++b) {
    xyzr_[b].clear();
    for (const auto& c : m.branches[b]) xyzr_[b].insert(xyzr_[b].end(), c.xyzr.begin(), c.xyzr.end());
  }
  for (const auto& branch : m.branches)
    for (const auto& c : branch) {
      length.push_back(c.length);
      radius.push_back(c.radius);
      area.push_back(c.area);
      volume.push_back(c.volume);
      load_in.push_back(c.resistive_load_in);
      load_out.push_back(c.resistive_load_out);
      x.push_back(c.x);
      y.push_back(c.y);
      z.push_back(c.z);
      for (const auto& g : c.groups) groups[g].push_back(comp);
      ++comp;
    }
  RANVIER_ASSERT(comp == n_comp());
  for (const auto& [name, comps] : groups) add_group(name, comps);
  set_column("length", length);
  set_column("radius", radius);
  set_column("area", area);
  set_column("volume", volume);
  set_column("resistive_load_in", load_in);
  set_column("resistive_load_out", load_out);
  set_column("x", x);  // um, Jaxley's compartment coordinates
  set_column("y", y);
  set_column("z", z);
  frustum_geometry_ = true;
}

}  // namespace ranvier
