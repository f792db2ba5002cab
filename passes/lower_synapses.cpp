#include "passes/lower_synapses.h"

#include <string>

#include "ir/scheme.h"
#include "ir/error.h"
#include "passes/linearize.h"

namespace ranvier::passes {

using ir::Expr;
using ir::Op;

ir::KernelIR lower_synapses(const ir::Model& model, ir::KernelIR k) {
  constexpr double kDiffV = ir::kLinearizationStep;
  for (const auto& group : model.synapses) {
    const ir::SynapseType& t = group.type;
    const Expr v_pre = ir::state(ir::synapse_array(ir::kSynapseVPre, t.name));
    const Expr v_post = ir::state(ir::synapse_array(ir::kSynapseVPost, t.name));
    const Expr area = ir::param(ir::synapse_array(ir::kSynapseAreaPost, t.name));  // um^2
    // The reserved v_pre()/v_post() leaves become this type's gathered input arrays.
    auto bind = [&](Expr e, Expr pre, Expr post) {
      return ir::substitute(e, [&](const ir::Node* n) {
        if (n->op == Op::State && n->name == ir::kPreVoltage) return pre;
        if (n->op == Op::State && n->name == ir::kPostVoltage) return post;
        return Expr();
      });
    };
    ir::SynapseKernel sk;
    sk.type = t.name;
    for (const auto& u : t.update) sk.new_states.push_back({u.name, bind(u.expr, v_pre, v_post)});
    // The current reads the states after this step's update ("<state>'").
    Expr current = ir::substitute(t.current, [&](const ir::Node* n) {
      return n->op == Op::State && t.has_state(n->name) ? ir::state(n->name + ir::kUpdatedSuffix) : Expr();
    });
    const Expr i0 = bind(current, v_pre, v_post);  // nA
    const Expr d0 = ir::point_current_density(i0, area);  // nA / um^2 -> uA/cm^2
    Expr g;
    if (k.linearization == ir::Linearization::FiniteDifference) {
      const Expr i1 = bind(current, v_pre + kDiffV, v_post + kDiffV);
      g = (ir::point_current_density(i1, area) - d0) / kDiffV;
    } else {
      // d/dh at h = 0 of the current at (v_pre + h, v_post + h): v_post is the variable v
      // and v_pre = v + (v_pre - v_post) moves with it.
      const Expr v = ir::voltage();
      const Expr along = ir::point_current_density(bind(current, v + (v_pre - v_post), v), area);
      g = ir::substitute(derivative_in_v(along), [&](const ir::Node* n) { return n->op == Op::Voltage ? v_post : Expr(); });
    }
    sk.outputs.push_back({t.current_name(), i0});
    sk.outputs.push_back({ir::synapse_array(ir::kSynapseConductance, t.name), g});
    sk.outputs.push_back({ir::synapse_array(ir::kSynapseConstant, t.name), d0 - g * v_post});
    k.synapses.push_back(std::move(sk));
  }
  return k;
}

}  // namespace ranvier::passes
