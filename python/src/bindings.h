#pragma once
// Shared declarations of the nanobind module ranvier._core (one file per area).
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include "ir/error.h"
#include "ir/mechanism.h"

namespace ranvier::python {

namespace nb = nanobind;

// A numpy array that owns `data`, with the given shape (row-major).
inline nb::ndarray<nb::numpy, double> to_numpy(std::vector<double> data, std::vector<std::size_t> shape) {
  auto* owned = new std::vector<double>(std::move(data));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::vector<double>*>(p); });
  return nb::ndarray<nb::numpy, double>(owned->data(), shape.size(), shape.data(), owner);
}

// A read-only 1-D float64 array argument (any numpy array that converts without copy issues).
using Array1D = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using IntArray1D = nb::ndarray<const long long, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

inline std::vector<double> to_vector(const Array1D& a) { return std::vector<double>(a.data(), a.data() + a.shape(0)); }

// Named values and expressions (mechanism and synapse definitions) as Python lists of pairs.
std::vector<std::pair<std::string, double>> from_named(const std::vector<ir::NamedValue>& v);
std::vector<ir::NamedValue> to_named(const std::vector<std::pair<std::string, double>>& v);
std::vector<std::pair<std::string, ir::Expr>> from_named_expr(const std::vector<ir::NamedExpr>& v);
// Fails on an undefined expression, naming its entry.
std::vector<ir::NamedExpr> to_named_expr(const std::vector<std::pair<std::string, ir::Expr>>& v);

void bind_expr(nb::module_& m);
void bind_module(nb::module_& m);
void bind_integrate(nb::module_& m);
void bind_gradient(nb::module_& m);
void bind_network(nb::module_& m);
void bind_cache(nb::module_& m);
void bind_graph(nb::module_& m);

}  // namespace ranvier::python
