#pragma once
// SWC morphology reader with the semantics of Jaxley 0.14.0's
// `jx.read_swc(fname, ncomp, max_branch_len, min_radius, assign_groups, backend="graph",
//              ignore_swc_tracing_interruptions, relevant_type_ids)`
// (jaxley/io/swc.py -> io/graph.py: to_swc_graph, build_compartment_graph, from_graph;
//  per-compartment geometry from utils/morph_attributes.py).
//
// The result lists the branches of the Jaxley `Cell` in Jaxley's branch order, each with its
// compartments in Jaxley's compartment order, and every geometric value of `cell.nodes`
// (length, radius, area, volume, resistive_load_in/out, x, y, z, group). `parents` equals
// `cell.comb_parents`. See SEMANTICS.md §2.8.
//
// Files Jaxley reads are read identically. Files on which Jaxley crashes or that are not a
// single tree are rejected with ranvier::Error; the message names the file, the line and the
// offending value:
//   * empty file, a single sample, a line without exactly 7 fields, a non-numeric or
//     non-finite field, a non-integer sample id or parent id, a negative radius;
//   * a parent id that no sample has, a sample that is its own parent, parent links that
//     form a cycle;
//   * samples that form several unconnected trees (Jaxley would silently keep only the tree
//     that contains the lowest-id tip and drop the rest; Ranvier refuses instead). Several
//     samples with parent -1 are fine when the file still describes one connected tree, as
//     in morph_multiple_roots.swc, where a re-declared id links the two roots;
//   * no sample with id 1 (Jaxley requires one);
//   * a compartment whose mean radius is not > 0 while min_radius is unset (Jaxley asserts
//     "Radius 0.0 in SWC file. Set read_swc(..., min_radius=...)").
// A sample id that appears on several lines takes its values from the last of those lines,
// and every line adds its parent link (Jaxley/networkx semantics).
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace ranvier::swc {

struct ReadOptions {
  int ncomp = 1;                               // compartments per branch
  std::optional<double> max_branch_len;        // um; longer branches are split (0: no split)
  std::optional<double> min_radius;            // um; compartment radii are clipped to it
  bool assign_groups = true;                   // groups soma/axon/basal/apical/undefined/customN
  bool ignore_swc_tracing_interruptions = true;
  std::vector<int> relevant_type_ids = {1, 2, 3, 4};
};

struct CompartmentGeometry {      // one compartment
  double length;                  // um, branch path length / ncomp
  double radius;                  // um, length-weighted mean of the traced radii (clipped)
  double area;                    // um^2, sum of frustum lateral areas
  double volume;                  // um^3, sum of frustum volumes
  double resistive_load_in;       // 1/um, integral of dl/(pi r^2) over the proximal half
  double resistive_load_out;      // 1/um, same over the distal half
  double x, y, z;                 // um, cell.nodes x,y,z: traced coordinates interpolated
                                  // at the compartment's centre along the branch path length
  std::vector<std::string> groups; // {"soma"}, {"apical"}, {"custom5"}...; empty without groups
  // The traced points (x, y, z, r in um) this compartment was built from, ordered from its
  // loc-0 end to its loc-1 end (Jaxley flips those traversed against the tracing direction).
  std::vector<std::array<double, 4>> xyzr;
};

// Geometry of one compartment from its traced points (Jaxley's morph_attrs_from_xyzr):
// `ncomp` only matters for single-point somata (a sphere shared by ncomp compartments).
struct XyzrAttributes {
  double radius;              // um, length-weighted mean radius (clipped to min_radius)
  double area;                // um^2
  double volume;              // um^3
  double resistive_load_in;   // 1/um
  double resistive_load_out;  // 1/um
};
// Throws ranvier::Error when the mean radius is not > 0 and min_radius is unset;
// `what` names the compartment in that message.
XyzrAttributes attributes_from_xyzr(const std::vector<std::array<double, 4>>& xyzr, std::optional<double> min_radius,
                                    int ncomp, const std::string& what);

// np.sum of float64 values (numpy's pairwise summation, bit for bit).
double numpy_sum(const std::vector<double>& values);

// Jaxley's split_xyzr_into_equal_length_segments: `ncomp` pieces of equal path length.
std::vector<std::vector<std::array<double, 4>>> split_xyzr(const std::vector<std::array<double, 4>>& xyzr, int ncomp);

struct Morphology {
  std::vector<int> parents;                               // per branch, -1 for the root
  std::vector<std::vector<CompartmentGeometry>> branches; // branch i -> compartments, proximal first
};

// Reads the SWC file at `path`.
Morphology read_swc(const std::string& path, const ReadOptions& options);

// Same, from the text of an SWC file; `source_name` is used in error messages.
Morphology read_swc_text(const std::string& text, const std::string& source_name,
                         const ReadOptions& options);

// Jaxley's group name for an SWC type id: 0 undefined, 1 soma, 2 axon, 3 basal,
// 4 apical, otherwise "custom<id>".
std::string group_name_for_type(int type_id);

}  // namespace ranvier::swc
