#include "ir/kernel.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ranvier::ir {

std::string KernelIR::print() const {
  const char* lin = linearization == Linearization::Symbolic ? "symbolic dI/dv"
                    : linearization == Linearization::Secant ? "secant over (v + 1e-3) - v"
                                                             : "finite difference (1e-3 mV)";
  std::string out = fmt::format("kernel: {} group(s), linearisation {}\n", groups.size(), lin);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const KernelGroup& k = groups[g];
    std::vector<std::string> runs;
    for (auto [b, e] : k.runs) runs.push_back(fmt::format("{}..{}", b, e - 1));
    out += fmt::format("group {}: mechanisms [{}] on compartments {}\n", g, fmt::join(k.mechanisms, ", "), fmt::join(runs, ","));
    std::vector<std::pair<std::string, Expr>> roots;
    for (const auto& s : k.new_states) roots.emplace_back(s.name + "'", s.expr);
    for (const auto& c : k.currents) roots.emplace_back(c.name, c.expr);
    if (k.voltage_term.defined()) roots.emplace_back("voltage_term", k.voltage_term);
    if (k.constant_term.defined()) roots.emplace_back("constant_term", k.constant_term);
    if (!k.voltage_term.defined() && k.conductance.defined()) roots.emplace_back("g", k.conductance);
    if (!k.constant_term.defined() && k.constant.defined()) roots.emplace_back("c", k.constant);
    out += ir::print(std::span<const std::pair<std::string, Expr>>(roots));
  }
  for (const auto& syn : synapses) {
    out += fmt::format("synapse kernel: {}\n", syn.type);
    std::vector<std::pair<std::string, Expr>> roots;
    for (const auto& s : syn.new_states) roots.emplace_back(s.name + "'", s.expr);
    for (const auto& o : syn.outputs) roots.emplace_back(o.name, o.expr);
    out += ir::print(std::span<const std::pair<std::string, Expr>>(roots));
  }
  return out + print_adjoints();
}

std::string KernelIR::print_adjoints() const {
  std::string out;
  for (std::size_t g = 0; g < adjoints.size(); ++g) {
    out += fmt::format("adjoint of group {}:\n", g);
    std::vector<std::pair<std::string, Expr>> roots;
    for (const auto& o : adjoints[g].outputs) roots.emplace_back(o.name, o.expr);
    out += ir::print(std::span<const std::pair<std::string, Expr>>(roots));
  }
  for (std::size_t g = 0; g < synapse_adjoints.size(); ++g) {
    out += fmt::format("adjoint of synapse kernel {}:\n", g);
    std::vector<std::pair<std::string, Expr>> roots;
    for (const auto& o : synapse_adjoints[g].outputs) roots.emplace_back(o.name, o.expr);
    out += ir::print(std::span<const std::pair<std::string, Expr>>(roots));
  }
  return out;
}

}  // namespace ranvier::ir
