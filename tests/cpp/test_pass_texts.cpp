// Text-in/text-out tests of the passes that had none (fuse_mechanisms, linearize,
// fold_constants, lower_synapses): a tiny input, one pass, and its printed output compared
// with the text the pass's contract (its header) says it must print, worked out by hand.
// Printing conventions (ir/kernel.cpp): @s is a state before the step, @s' after it, $p a
// parameter, v the voltage before the step; %n are shared DAG nodes in topological order.
#include <string>

#include <gtest/gtest.h>

#include "frontend/connect.h"
#include "frontend/module.h"
#include "frontend/network.h"
#include "ir/expr.h"
#include "ir/mechanism.h"
#include "ir/synapse.h"
#include "passes/fold_constants.h"
#include "passes/fuse_mechanisms.h"
#include "passes/linearize.h"
#include "passes/lower_synapses.h"

namespace ranvier {
namespace {

// A one-state mechanism: <name>_s <- <name>_s * dt (a plain product keeps the text short),
// current <name>_g * <name>_s * v (mA/cm^2).
Mechanism tiny(const std::string& name) {
  Mechanism m;
  m.name = name;
  m.params = {{name + "_g", 0.5}};
  m.states = {{name + "_s", 0.25}};
  m.update = {{name + "_s", ir::state(name + "_s") * ir::dt()}};
  m.current = ir::param(name + "_g") * ir::state(name + "_s") * ir::voltage();
  m.current_name = "i_" + name;
  m.init = {{name + "_s", ir::constant(0.25)}};
  return m;
}

// A one-state synapse: S_s <- S_s * dt, current S_g * S_s * (v_pre - v_post) (nA).
ir::SynapseType tiny_synapse() {
  ir::SynapseType t;
  t.name = "S";
  t.params = {{"S_g", 2.0}};
  t.states = {{"S_s", 0.5}};
  t.update = {{"S_s", ir::state("S_s") * ir::dt()}};
  t.current = ir::param("S_g") * ir::state("S_s") * (ir::v_pre() - ir::v_post());
  return t;
}

// Two one-compartment cells with mechanism A, joined by one synapse S from cell 0 to cell 1.
ir::Model tiny_network() {
  Cell cell;
  cell.insert(tiny("A"));
  Network net({cell, cell});
  connect(net.cell(0).branch(0).comp(0), net.cell(1).branch(0).comp(0), tiny_synapse());
  return net.lower();
}

ir::KernelIR fused_one_compartment(const Mechanism& m) {
  Compartment comp;
  comp.insert(m);
  return passes::fuse_mechanisms(comp.lower());
}

TEST(FoldConstants, FoldsAConstantSubtreeOfAnExpression) {
  EXPECT_EQ(ir::print(passes::fold_constants(ir::constant(2.0) * ir::constant(3.0) + ir::param("x"))),
            "  %0 = add(6, $x)\n"
            "  result := %0\n");
}

TEST(FoldConstants, FoldsInsideAKernelAndLeavesTheRestAlone) {
  Mechanism c = tiny("C");
  c.current = ir::param("C_g") * (ir::constant(2.0) * ir::constant(3.0) + ir::voltage());  // C_g (6 + v)
  EXPECT_EQ(passes::fold_constants(fused_one_compartment(c)).print(),
            "kernel: 1 group(s), linearisation finite difference (1e-3 mV)\n"
            "group 0: mechanisms [C] on compartments 0..0\n"
            "  %0 = mul(@C_s, dt)\n"
            "  %1 = add(6, v)\n"
            "  %2 = mul($C_g, %1)\n"
            "  C_s' := %0\n"
            "  i_C := %2\n");
}

// Branch 0 has A, branch 1 has A then B: two groups; in the second, the updates of A and B in
// insertion order (each reading the states before the step), then both currents with the
// updated states.
TEST(FuseMechanisms, OneGroupPerMechanismSetInInsertionOrder) {
  Cell cell(Branch(Compartment(), 1), {-1, 0});
  cell.insert(tiny("A"));
  cell.branch(1).insert(tiny("B"));
  EXPECT_EQ(passes::fuse_mechanisms(cell.lower()).print(),
            "kernel: 2 group(s), linearisation finite difference (1e-3 mV)\n"
            "group 0: mechanisms [A] on compartments 0..0\n"
            "  %0 = mul(@A_s, dt)\n"
            "  %1 = mul($A_g, @A_s')\n"
            "  %2 = mul(%1, v)\n"
            "  A_s' := %0\n"
            "  i_A := %2\n"
            "group 1: mechanisms [A, B] on compartments 1..1\n"
            "  %0 = mul(@A_s, dt)\n"
            "  %1 = mul(@B_s, dt)\n"
            "  %2 = mul($A_g, @A_s')\n"
            "  %3 = mul(%2, v)\n"
            "  %4 = mul($B_g, @B_s')\n"
            "  %5 = mul(%4, v)\n"
            "  A_s' := %0\n"
            "  B_s' := %1\n"
            "  i_A := %3\n"
            "  i_B := %5\n");
}

// I(v) = A_g A_s' v. Finite difference: g = (I(v + 1e-3) - I(v)) / 1e-3, c = -(I - g v);
// voltage_term = g * 1000 / C, constant_term = (c * 1000 + i_ext) / C.
TEST(Linearize, FiniteDifferenceAsJaxley) {
  EXPECT_EQ(passes::linearize(fused_one_compartment(tiny("A")), ir::Linearization::FiniteDifference).print(),
            "kernel: 1 group(s), linearisation finite difference (1e-3 mV)\n"
            "group 0: mechanisms [A] on compartments 0..0\n"
            "  %0 = mul(@A_s, dt)\n"
            "  %1 = mul($A_g, @A_s')\n"
            "  %2 = mul(%1, v)\n"
            "  %3 = add(v, 0.001)\n"
            "  %4 = mul(%1, %3)\n"
            "  %5 = sub(%4, %2)\n"
            "  %6 = div(%5, 0.001)\n"
            "  %7 = mul(%6, 1000)\n"
            "  %8 = div(%7, $capacitance)\n"
            "  %9 = mul(%6, v)\n"
            "  %10 = sub(%2, %9)\n"
            "  %11 = neg(%10)\n"
            "  %12 = mul(%11, 1000)\n"
            "  %13 = add(%12, $__i_ext)\n"
            "  %14 = div(%13, $capacitance)\n"
            "  A_s' := %0\n"
            "  i_A := %2\n"
            "  voltage_term := %8\n"
            "  constant_term := %14\n");
}

// Symbolic: g = d/dv ((A_g A_s') v) by the product rule, unsimplified (folding comes later):
// ((0 A_s' + A_g 0) v) + (A_g A_s') 1; the rest as with the finite difference.
TEST(Linearize, SymbolicProductRule) {
  EXPECT_EQ(passes::linearize(fused_one_compartment(tiny("A")), ir::Linearization::Symbolic).print(),
            "kernel: 1 group(s), linearisation symbolic dI/dv\n"
            "group 0: mechanisms [A] on compartments 0..0\n"
            "  %0 = mul(@A_s, dt)\n"
            "  %1 = mul($A_g, @A_s')\n"
            "  %2 = mul(%1, v)\n"
            "  %3 = mul(0, @A_s')\n"
            "  %4 = mul($A_g, 0)\n"
            "  %5 = add(%3, %4)\n"
            "  %6 = mul(%5, v)\n"
            "  %7 = mul(%1, 1)\n"
            "  %8 = add(%6, %7)\n"
            "  %9 = mul(%8, 1000)\n"
            "  %10 = div(%9, $capacitance)\n"
            "  %11 = mul(%8, v)\n"
            "  %12 = sub(%2, %11)\n"
            "  %13 = neg(%12)\n"
            "  %14 = mul(%13, 1000)\n"
            "  %15 = add(%14, $__i_ext)\n"
            "  %16 = div(%15, $capacitance)\n"
            "  A_s' := %0\n"
            "  i_A := %2\n"
            "  voltage_term := %10\n"
            "  constant_term := %16\n");
}

// The synapse kernel as lower_synapses.h says: update from the old state, current d0 with the
// updated state at (v_pre, v_post), d1 at (v_pre + 1e-3, v_post + 1e-3), each nA -> uA/cm^2
// (/ area in um^2 * 1e5), g = (d1 - d0) / 1e-3, c = d0 - g v_post. The group is untouched.
const char* const kTinySynapseKernel =
    "synapse kernel: S\n"
    "  %0 = mul(@S_s, dt)\n"
    "  %1 = mul($S_g, @S_s')\n"
    "  %2 = sub(@__v_pre@S, @__v_post@S)\n"
    "  %3 = mul(%1, %2)\n"
    "  %4 = add(@__v_pre@S, 0.001)\n"
    "  %5 = add(@__v_post@S, 0.001)\n"
    "  %6 = sub(%4, %5)\n"
    "  %7 = mul(%1, %6)\n"
    "  %8 = div(%7, $__area_post@S)\n"
    "  %9 = mul(%8, 100000)\n"
    "  %10 = div(%3, $__area_post@S)\n"
    "  %11 = mul(%10, 100000)\n"
    "  %12 = sub(%9, %11)\n"
    "  %13 = div(%12, 0.001)\n"
    "  %14 = mul(%13, @__v_post@S)\n"
    "  %15 = sub(%11, %14)\n"
    "  S_s' := %0\n"
    "  i_S := %3\n"
    "  __syn_g@S := %13\n"
    "  __syn_c@S := %15\n";

TEST(LowerSynapses, AddsTheSynapseKernelWithJaxleysLinearisation) {
  const ir::Model net = tiny_network();
  EXPECT_EQ(passes::lower_synapses(net, passes::fuse_mechanisms(net)).print(),
            std::string("kernel: 1 group(s), linearisation finite difference (1e-3 mV)\n"
                        "group 0: mechanisms [A] on compartments 0..1\n"
                        "  %0 = mul(@A_s, dt)\n"
                        "  %1 = mul($A_g, @A_s')\n"
                        "  %2 = mul(%1, v)\n"
                        "  A_s' := %0\n"
                        "  i_A := %2\n") +
                kTinySynapseKernel);
}

// After lower_synapses, linearize adds the scattered synaptic terms to the membrane terms:
// voltage_term = (g * 1000 + __syn_lin) / C, constant_term = (c * 1000 + i_ext + __syn_cst) / C.
TEST(LowerSynapses, LinearizeAddsTheSynapticTerms) {
  const ir::Model net = tiny_network();
  EXPECT_EQ(passes::linearize(passes::lower_synapses(net, passes::fuse_mechanisms(net)), ir::Linearization::FiniteDifference).print(),
            std::string("kernel: 1 group(s), linearisation finite difference (1e-3 mV)\n"
                        "group 0: mechanisms [A] on compartments 0..1\n"
                        "  %0 = mul(@A_s, dt)\n"
                        "  %1 = mul($A_g, @A_s')\n"
                        "  %2 = mul(%1, v)\n"
                        "  %3 = add(v, 0.001)\n"
                        "  %4 = mul(%1, %3)\n"
                        "  %5 = sub(%4, %2)\n"
                        "  %6 = div(%5, 0.001)\n"
                        "  %7 = mul(%6, 1000)\n"
                        "  %8 = add(%7, $__syn_lin)\n"
                        "  %9 = div(%8, $capacitance)\n"
                        "  %10 = mul(%6, v)\n"
                        "  %11 = sub(%2, %10)\n"
                        "  %12 = neg(%11)\n"
                        "  %13 = mul(%12, 1000)\n"
                        "  %14 = add(%13, $__i_ext)\n"
                        "  %15 = add(%14, $__syn_cst)\n"
                        "  %16 = div(%15, $capacitance)\n"
                        "  A_s' := %0\n"
                        "  i_A := %2\n"
                        "  voltage_term := %9\n"
                        "  constant_term := %16\n") +
                kTinySynapseKernel);
}

}  // namespace
}  // namespace ranvier
