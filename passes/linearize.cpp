#include "passes/linearize.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "ir/abi.h"
#include "ir/scheme.h"
#include "ir/error.h"

namespace ranvier::passes {

using ir::Expr;
using ir::Op;

Expr derivative_in_v(Expr e) {
  Expr roots[] = {e};
  std::unordered_map<const ir::Node*, Expr> d;
  for (const ir::Node* n : ir::topological_order(roots)) {
    auto a = [&](int i) { return Expr(n->args[i]); };
    auto da = [&](int i) { return d.at(n->args[i]); };
    switch (n->op) {
      case Op::Voltage: d[n] = 1.0; break;
      case Op::Const:
      case Op::Param:
      case Op::State:
      case Op::TimeStep:
      case Op::Less:
      case Op::LessEq: d[n] = 0.0; break;
      case Op::Add: d[n] = da(0) + da(1); break;
      case Op::Sub: d[n] = da(0) - da(1); break;
      case Op::Mul: d[n] = da(0) * a(1) + a(0) * da(1); break;
      case Op::Div: d[n] = (da(0) * a(1) - a(0) * da(1)) / (a(1) * a(1)); break;
      case Op::Neg: d[n] = -da(0); break;
      case Op::IntPow: {
        int k = static_cast<int>(n->value);
        d[n] = k == 1 ? da(0) : Expr(static_cast<double>(k)) * ir::ipow(a(0), k - 1) * da(0);
        break;
      }
      case Op::Pow: d[n] = Expr(n) * (da(1) * ir::log(a(0)) + a(1) * da(0) / a(0)); break;
      case Op::Exp: d[n] = Expr(n) * da(0); break;
      case Op::Log: d[n] = da(0) / a(0); break;
      case Op::Tanh: d[n] = (1.0 - Expr(n) * Expr(n)) * da(0); break;
      case Op::Sqrt: d[n] = da(0) / (2.0 * Expr(n)); break;
      case Op::Min: d[n] = ir::select(ir::less(a(1), a(0)), da(1), da(0)); break;
      case Op::Max: d[n] = ir::select(ir::less(a(0), a(1)), da(1), da(0)); break;
      case Op::Select: d[n] = ir::select(a(0), da(1), da(2)); break;
    }
  }
  return d.at(e.node());
}

namespace {

// A group with a mechanism that writes v (Fire, ...): its currents, their linearisation and
// the membrane terms are taken at the voltage after the channel updates (Jaxley's
// _channel_currents reads states["v"] after _step_channels_state), the "v'" leaf, which is
// the body's own new value of v.
void read_updated_voltage(ir::KernelGroup& g) {
  const bool writes_v = std::any_of(g.new_states.begin(), g.new_states.end(),
                                    [](const ir::NamedExpr& s) { return s.name == ir::kVoltage; });
  if (!writes_v) return;
  const Expr v_updated = ir::state(std::string(ir::kVoltage) + ir::kUpdatedSuffix);
  auto bind = [&](Expr e) {
    return ir::substitute(e, [&](const ir::Node* n) { return n->op == Op::Voltage ? v_updated : Expr(); });
  };
  for (auto& c : g.currents) c.expr = bind(c.expr);
  for (auto& c : g.mechanism_currents) c.expr = bind(c.expr);
  g.conductance = bind(g.conductance);
  g.constant = bind(g.constant);
  g.voltage_term = bind(g.voltage_term);
  g.constant_term = bind(g.constant_term);
}

}  // namespace

ir::KernelIR linearize(ir::KernelIR k, ir::Linearization mode) {
  const bool symbolic_derivative = mode == ir::Linearization::Symbolic;
  constexpr double kDiffV = ir::kLinearizationStep;
  const Expr v = ir::voltage();
  const Expr v_perturbed = v + kDiffV;
  k.linearization = mode;
  for (auto& g : k.groups) {
    Expr conductance, constant;
    bool first = true;
    for (const auto& mc : g.mechanism_currents) {
      Expr i0 = mc.expr, slope;
      if (symbolic_derivative) {
        slope = derivative_in_v(i0);
      } else {
        Expr i1 = ir::substitute(i0, [&](const ir::Node* n) { return n->op == Op::Voltage ? v_perturbed : Expr(); });
        // Secant: divide by the step actually taken, (v + 1e-3) - v, which is exact in
        // floating point; in float32 the rounded step differs from 1e-3 by up to ~1%.
        slope = mode == ir::Linearization::Secant ? (i1 - i0) / (v_perturbed - v) : (i1 - i0) / kDiffV;
      }
      Expr c = -(i0 - slope * v);
      conductance = first ? slope : conductance + slope;
      constant = first ? c : constant + c;
      first = false;
    }
    if (first) conductance = constant = 0.0;
    g.conductance = conductance;
    g.constant = constant;
    const Expr cm = ir::param(ir::kCapacitance), i_ext = ir::param(ir::kExternalCurrent);
    if (k.synapses.empty()) {
      g.voltage_term = conductance * 1000.0 / cm;
      g.constant_term = (constant * 1000.0 + i_ext) / cm;
    } else {
      // Networks: the scatter-added synaptic terms (already uA/cm^2, lower_synapses) join
      // before the division by cm, in Jaxley's order.
      g.voltage_term = (conductance * 1000.0 + ir::param(ir::kSynapseLinear)) / cm;
      g.constant_term = (constant * 1000.0 + i_ext + ir::param(ir::kSynapseConstantSum)) / cm;
    }
    read_updated_voltage(g);
  }
  return k;
}

}  // namespace ranvier::passes
