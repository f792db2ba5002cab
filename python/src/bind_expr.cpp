// The expression DSL (ir::Expr) with Python operators, mechanisms, and the built-in channels.
// Python channels are traced into these expressions once, at insert() time.
#include <string>
#include <utility>
#include <vector>

#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "frontend/channels/builtin.h"
#include "ir/error.h"
#include "ir/expr.h"
#include "ir/mechanism.h"

namespace ranvier::python {
namespace {

using ir::Expr;

// x ** n for an integer n, as JAX's integer_pow: n = 0 is 1, n < 0 is 1 / x ** -n.
Expr int_pow(Expr x, long long n) {
  if (n == 0) return Expr(1.0);
  if (n > 1000000 || n < -1000000) fail("x ** {}: the integer exponent is too large", n);
  if (n < 0) return Expr(1.0) / ir::ipow(x, static_cast<int>(-n));
  return ir::ipow(x, static_cast<int>(n));
}

}  // namespace

std::vector<std::pair<std::string, double>> from_named(const std::vector<NamedValue>& v) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& x : v) out.emplace_back(x.name, x.value);
  return out;
}
std::vector<NamedValue> to_named(const std::vector<std::pair<std::string, double>>& v) {
  std::vector<NamedValue> out;
  for (const auto& [n, x] : v) out.push_back({n, x});
  return out;
}
std::vector<std::pair<std::string, Expr>> from_named_expr(const std::vector<NamedExpr>& v) {
  std::vector<std::pair<std::string, Expr>> out;
  for (const auto& x : v) out.emplace_back(x.name, x.expr);
  return out;
}
std::vector<NamedExpr> to_named_expr(const std::vector<std::pair<std::string, Expr>>& v) {
  std::vector<NamedExpr> out;
  for (const auto& [n, e] : v) {
    if (!e.defined()) fail("expression for '{}' is undefined", n);
    out.push_back({n, e});
  }
  return out;
}


void bind_expr(nb::module_& m) {
  nb::class_<Expr> expr(m, "Expr",
                        "A node of Ranvier's expression DAG (hash-consed: equal expressions are the same node). "
                        "Channels written in Python compute with these instead of arrays.");
  expr.def(nb::init<double>(), nb::arg("value"))
      .def_prop_ro("op", [](const Expr& e) { return std::string(ir::op_name(e.op())); })
      .def_prop_ro("name", [](const Expr& e) { return e.name(); })
      .def_prop_ro("is_const", &Expr::is_const)
      .def_prop_ro("value", [](const Expr& e) {
        if (!e.is_const()) fail("expression is not a constant");
        return e.const_value();
      })
      .def_prop_ro("args", [](const Expr& e) {
        std::vector<Expr> a;
        for (std::size_t i = 0; i < e.arity(); ++i) a.push_back(e.arg(i));
        return a;
      })
      .def("same", [](const Expr& a, const Expr& b) { return a == b; }, "Structural equality (the same DAG node).")
      .def("__hash__", [](const Expr& e) { return std::hash<const void*>()(e.node()); })
      .def("__str__", [](const Expr& e) { return ir::print(e); })
      .def("__repr__", [](const Expr& e) {
        switch (e.op()) {
          case ir::Op::Const: return fmt::format("Expr({})", e.const_value());
          case ir::Op::Param: return fmt::format("Expr(param '{}')", e.name());
          case ir::Op::State: return fmt::format("Expr(state '{}')", e.name());
          case ir::Op::Voltage: return std::string("Expr(v)");
          case ir::Op::TimeStep: return std::string("Expr(dt)");
          default: return fmt::format("Expr({} ...)", ir::op_name(e.op()));
        }
      })
      .def("__bool__", [](const Expr&) -> bool {
        fail("a traced channel expression has no truth value: Python `if`/`and`/`or` on values cannot be compiled; "
             "use ranvier.where(cond, a, b), ranvier.minimum/maximum instead");
      })
      .def("__float__", [](const Expr& e) -> double {
        if (e.is_const()) return e.const_value();
        fail("a traced channel expression has no float value (it is evaluated in the compiled kernel)");
      });

  // Arithmetic with Python numbers on either side.
  expr.def("__add__", [](Expr a, Expr b) { return a + b; }, nb::is_operator())
      .def("__add__", [](Expr a, double b) { return a + Expr(b); }, nb::is_operator())
      .def("__radd__", [](Expr a, double b) { return Expr(b) + a; }, nb::is_operator())
      .def("__sub__", [](Expr a, Expr b) { return a - b; }, nb::is_operator())
      .def("__sub__", [](Expr a, double b) { return a - Expr(b); }, nb::is_operator())
      .def("__rsub__", [](Expr a, double b) { return Expr(b) - a; }, nb::is_operator())
      .def("__mul__", [](Expr a, Expr b) { return a * b; }, nb::is_operator())
      .def("__mul__", [](Expr a, double b) { return a * Expr(b); }, nb::is_operator())
      .def("__rmul__", [](Expr a, double b) { return Expr(b) * a; }, nb::is_operator())
      .def("__truediv__", [](Expr a, Expr b) { return a / b; }, nb::is_operator())
      .def("__truediv__", [](Expr a, double b) { return a / Expr(b); }, nb::is_operator())
      .def("__rtruediv__", [](Expr a, double b) { return Expr(b) / a; }, nb::is_operator())
      .def("__neg__", [](Expr a) { return -a; }, nb::is_operator())
      .def("__pos__", [](Expr a) { return a; }, nb::is_operator())
      .def("__abs__", [](Expr a) { return ir::max(a, -a); }, nb::is_operator())
      .def("__pow__", [](Expr a, long long n) { return int_pow(a, n); }, nb::is_operator())
      .def("__pow__", [](Expr a, Expr b) { return ir::pow(a, b); }, nb::is_operator())
      .def("__pow__", [](Expr a, double b) { return ir::pow(a, Expr(b)); }, nb::is_operator())
      .def("__rpow__", [](Expr a, double b) { return ir::pow(Expr(b), a); }, nb::is_operator())
      // Comparisons yield 1.0 / 0.0 expressions (for ranvier.where).
      .def("__lt__", [](Expr a, Expr b) { return ir::less(a, b); }, nb::is_operator())
      .def("__lt__", [](Expr a, double b) { return ir::less(a, Expr(b)); }, nb::is_operator())
      .def("__le__", [](Expr a, Expr b) { return ir::less_equal(a, b); }, nb::is_operator())
      .def("__le__", [](Expr a, double b) { return ir::less_equal(a, Expr(b)); }, nb::is_operator())
      .def("__gt__", [](Expr a, Expr b) { return ir::less(b, a); }, nb::is_operator())
      .def("__gt__", [](Expr a, double b) { return ir::less(Expr(b), a); }, nb::is_operator())
      .def("__ge__", [](Expr a, Expr b) { return ir::less_equal(b, a); }, nb::is_operator())
      .def("__ge__", [](Expr a, double b) { return ir::less_equal(Expr(b), a); }, nb::is_operator());

  // Leaves and functions (the Python layer dispatches numbers to numpy and Exprs here).
  m.def("constant", &ir::constant, nb::arg("value"));
  m.def("param", &ir::param, nb::arg("name"), "A named parameter leaf (e.g. 'HH_gNa').");
  m.def("state", &ir::state, nb::arg("name"), "A named state leaf (e.g. 'HH_m').");
  m.def("voltage", &ir::voltage, "The membrane voltage v (mV) leaf.");
  m.def("dt", &ir::dt, "The time step (ms) leaf.");
  m.def("exp", [](Expr a) { return ir::exp(a); });
  m.def("log", [](Expr a) { return ir::log(a); });
  m.def("tanh", [](Expr a) { return ir::tanh(a); });
  m.def("sqrt", [](Expr a) { return ir::sqrt(a); });
  m.def("pow", [](Expr a, Expr b) { return ir::pow(a, b); });
  m.def("ipow", [](Expr a, long long n) { return int_pow(a, n); });
  m.def("min", [](Expr a, Expr b) { return ir::min(a, b); });
  m.def("max", [](Expr a, Expr b) { return ir::max(a, b); });
  m.def("less", [](Expr a, Expr b) { return ir::less(a, b); });
  m.def("less_equal", [](Expr a, Expr b) { return ir::less_equal(a, b); });
  m.def("select", [](Expr c, Expr a, Expr b) { return ir::select(c, a, b); });
  nb::implicitly_convertible<double, Expr>();

  nb::class_<Mechanism>(m, "Mechanism", "A mechanism (ion channel) in the expression DSL.")
      .def(nb::init<>())
      .def_rw("name", &Mechanism::name)
      .def_prop_rw("params", [](const Mechanism& x) { return from_named(x.params); },
                   [](Mechanism& x, const std::vector<std::pair<std::string, double>>& v) { x.params = to_named(v); })
      .def_prop_rw("states", [](const Mechanism& x) { return from_named(x.states); },
                   [](Mechanism& x, const std::vector<std::pair<std::string, double>>& v) { x.states = to_named(v); })
      .def_prop_rw("update", [](const Mechanism& x) { return from_named_expr(x.update); },
                   [](Mechanism& x, const std::vector<std::pair<std::string, Expr>>& v) { x.update = to_named_expr(v); })
      .def_prop_rw("init", [](const Mechanism& x) { return from_named_expr(x.init); },
                   [](Mechanism& x, const std::vector<std::pair<std::string, Expr>>& v) { x.init = to_named_expr(v); })
      .def_rw("current", &Mechanism::current)
      .def_rw("current_name", &Mechanism::current_name)
      .def("validate", &Mechanism::validate)
      .def("__str__", [](const Mechanism& x) {
        std::vector<std::pair<std::string, Expr>> roots;
        for (const auto& u : x.update) roots.emplace_back(u.name, u.expr);
        if (x.current.defined()) roots.emplace_back(x.current_name, x.current);
        for (const auto& i : x.init) roots.emplace_back("init " + i.name, i.expr);
        return fmt::format("mechanism {}\n{}", x.name, ir::print(roots));
      })
      .def("__repr__", [](const Mechanism& x) { return fmt::format("<Mechanism {}>", x.name); });

  nb::module_ ch = m.def_submodule("channels", "Ranvier's built-in channels (C++), as Mechanism objects.");
  ch.def("HH", &channels::HH);
  ch.def("Leak", &channels::Leak);
  ch.def("Na", &channels::Na);
  ch.def("K", &channels::K);
  ch.def("Km", &channels::Km);
  ch.def("CaL", &channels::CaL);
  ch.def("CaT", &channels::CaT);
  ch.def("by_name", &channels::by_name, nb::arg("name"));
  ch.def("builtin_names", &channels::builtin_names);
}

}  // namespace ranvier::python
