#pragma once
// Reverse mode through prepare's geometry formulas: the axial conductances of every edge
// (Jaxley's compute_axial_conductances) and the cylinder area / volume / resistive loads that
// replace a compartment's geometry when its radius or length is set by params or data_set.
// The derivatives are written by hand from those formulas (see geometry_vjp.cpp).
#include <vector>

#include "ir/model.h"

namespace ranvier::runtime {

// Adds d/d column (axial_resistivity, resistive_load_in/out, area, capacitance) of
// sum(g_axial * axial_conductances(model, columns)) into g_columns.
void axial_conductances_vjp(const ir::Model& model, const std::vector<std::vector<double>>& columns,
                            const std::vector<double>& g_axial, std::vector<std::vector<double>>& g_columns);

// For compartments with cylinder[c] set, area, volume and the two resistive loads are
// functions of radius and length: moves their cotangents onto radius and length.
void cylinder_geometry_vjp(const ir::Model& model, const std::vector<std::vector<double>>& columns,
                           const std::vector<char>& cylinder, std::vector<std::vector<double>>& g_columns);

}  // namespace ranvier::runtime
