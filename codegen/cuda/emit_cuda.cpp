#include "codegen/cuda/emit_cuda.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

#include "ir/scheme.h"
#include "ir/error.h"
#include "ir/exp_reference.h"

namespace ranvier::cuda {
namespace {

// An exact literal of `value` in the kernel's precision: hexadecimal floating point, so no
// decimal round trip; float constants are rounded to float first, as the CPU backend's
// ConstantFP::get does. Infinities and NaN through bit patterns (no headers under NVRTC).
std::string literal(double value, bool f32) {
  if (f32) {
    const float f = static_cast<float>(value);
    if (std::isnan(f)) return "__int_as_float(0x7fc00000)";
    if (std::isinf(f)) return f > 0 ? "__int_as_float(0x7f800000)" : "__int_as_float(0xff800000)";
    return fmt::format("{:a}f", static_cast<double>(f));
  }
  if (std::isnan(value)) return "__longlong_as_double(0x7ff8000000000000LL)";
  if (std::isinf(value)) return value > 0 ? "__longlong_as_double(0x7ff0000000000000LL)" : "__longlong_as_double(0xfff0000000000000LL)";
  return fmt::format("{:a}", value);
}

// A C identifier for a buffer name (names may hold any character); the slot keeps it unique.
std::string ident(const std::string& name, std::size_t slot) {
  std::string s = fmt::format("a{}_", slot);
  for (char c : name) s += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return s;
}

// The exp of ir/exp_reference.h, rendered from its constants, with the same operation
// sequence step for step (fma() is a true fused multiply-add on every CUDA GPU).
std::string render_exp(bool f32) {
  using namespace exp_detail;
  std::string s;
  if (!f32) {
    s += "// exp: ir/exp_reference.h, the same operations and constants as the CPU backend\n";
    s += "__device__ __forceinline__ double ranvier_exp(double x) {\n";
    s += fmt::format("  const double t = fma(x, {}, {});\n", literal(kLog2eD, false), literal(kShiftD, false));
    s += fmt::format("  const double k = t - {};\n", literal(kShiftD, false));
    s += fmt::format("  double r = fma(k, {}, x);\n", literal(-kLn2HiD, false));
    s += fmt::format("  r = fma(k, {}, r);\n", literal(-kLn2LoD, false));
    s += fmt::format("  double p = {};\n", literal(kPolyD[kDegreeD], false));
    for (int i = kDegreeD - 1; i >= 0; --i) s += fmt::format("  p = fma(p, r, {});\n", literal(kPolyD[i], false));
    s += "  const unsigned long long bits = (unsigned long long)__double_as_longlong(p) + ((unsigned long long)__double_as_longlong(t) << 52);\n";
    s += "  const double normal = __longlong_as_double((long long)bits);\n";
    s += fmt::format("  const double tiny = __longlong_as_double((long long)(bits + {}ULL)) * {};\n", kTinyBitsD, literal(kTinyScaleD, false));
    s += fmt::format("  double y = x < {} ? tiny : normal;\n", literal(kTinyThresholdD, false));
    s += fmt::format("  y = x > {} ? {} : y;\n", literal(kOverflowD, false), literal(std::numeric_limits<double>::infinity(), false));
    s += fmt::format("  y = x < {} ? 0.0 : y;\n", literal(kUnderflowD, false));
    s += "  y = (x != x) ? x + x : y;\n  return y;\n}\n";
  } else {
    s += "// exp: ir/exp_reference.h (float), the same operations and constants as the CPU backend\n";
    s += "__device__ __forceinline__ float ranvier_exp(float x) {\n";
    s += fmt::format("  const float t = fmaf(x, {}, {});\n", literal(kLog2eF, true), literal(kShiftF, true));
    s += fmt::format("  const float k = t - {};\n", literal(kShiftF, true));
    s += fmt::format("  float r = fmaf(k, {}, x);\n", literal(-kLn2HiF, true));
    s += fmt::format("  r = fmaf(k, {}, r);\n", literal(-kLn2LoF, true));
    s += fmt::format("  float p = {};\n", literal(kPolyF[kDegreeF], true));
    for (int i = kDegreeF - 1; i >= 0; --i) s += fmt::format("  p = fmaf(p, r, {});\n", literal(kPolyF[i], true));
    s += "  const unsigned int bits = __float_as_uint(p) + (__float_as_uint(t) << 23);\n";
    s += "  const float normal = __uint_as_float(bits);\n";
    s += fmt::format("  const float tiny = __uint_as_float(bits + {}U) * {};\n", kTinyBitsF, literal(kTinyScaleF, true));
    s += fmt::format("  float y = x < {} ? tiny : normal;\n", literal(kTinyThresholdF, true));
    s += fmt::format("  y = x > {} ? {} : y;\n", literal(kOverflowF, true), literal(std::numeric_limits<float>::infinity(), true));
    s += fmt::format("  y = x < {} ? 0.0f : y;\n", literal(kUnderflowF, true));
    s += "  y = (x != x) ? x + x : y;\n  return y;\n}\n";
  }
  return s;
}

// jnp.minimum / maximum (NaN-propagating; ties keep the first argument), as the CPU backend.
std::string render_helpers(bool f32) {
  const std::string nan = literal(std::numeric_limits<double>::quiet_NaN(), f32);
  return fmt::format(
      "__device__ __forceinline__ real ranvier_min(real a, real b) {{ return (a != a || b != b) ? {0} : (b < a ? b : a); }}\n"
      "__device__ __forceinline__ real ranvier_max(real a, real b) {{ return (a != a || b != b) ? {0} : (b > a ? b : a); }}\n",
      nan);
}

// A constant int table; __constant__ memory (broadcast to a warp, whose threads all read the
// same entry at once) while the tables fit, global memory beyond.
std::string int_table(const std::string& name, const std::vector<int>& values, bool in_constant_memory) {
  std::string s = fmt::format("static {} const int {}[{}] = {{", in_constant_memory ? "__constant__" : "__device__", name,
                              std::max<std::size_t>(values.size(), 1));
  for (std::size_t i = 0; i < values.size(); ++i) s += (i % 16 == 0 ? "\n  " : " ") + fmt::format("{},", values[i]);
  if (values.empty()) s += "0";
  return s + "\n};\n";
}

class Emitter {
 public:
  Emitter(const ir::Model& model, const ir::KernelIR& kernel, const ir::DhsSchedule& schedule, bool f32)
      : model_(model), kernel_(kernel), schedule_(schedule), f32_(f32) {}

  CudaSource run() {
    CudaSource out;
    out.float32 = f32_;
    // The pointer table: v first, then whatever the groups read and write, every state and
    // current (clamps, return_states), what is recorded, and the solver's buffers.
    slot("v");
    std::vector<std::string> bodies;
    for (std::size_t g = 0; g < kernel_.groups.size(); ++g) bodies.push_back(group_function(kernel_.groups[g], g));
    for (const auto& s : kernel_.state_names) slot(s);
    for (const auto& c : kernel_.current_names) slot(c);
    for (const auto& r : model_.recordings) slot(r.state);
    for (const char* n : {ir::kExternalCurrent, "__voltage_term", "__constant_term", kArea, kAxialDt, kDiag, kRhs}) slot(n);
    out.arrays = arrays_;

    std::string& s = out.text;
    s += fmt::format(
        "// Generated by Ranvier (codegen/cuda): {} compartments, {} branchpoints, {} kernel group(s), {}.\n"
        "// One thread per simulation (lane); buffers are node-major, lanes innermost: element (i, lane)\n"
        "// of a buffer is at i * B + lane. Compile with --fmad=false (no contraction): every fused\n"
        "// multiply-add below is an explicit fma(), so results equal the CPU backend's.\n\n",
        model_.n_comp, model_.n_bp, kernel_.groups.size(), f32_ ? "float32" : "float64");
    s += fmt::format("typedef {} real;\n\n", f32_ ? "float" : "double");
    s += render_exp(f32_) + "\n" + render_helpers(f32_) + "\n";
    s += "// The buffers, by name (runtime/batch_runner.cpp's names).\nstruct Arrays {\n";
    for (std::size_t i = 0; i < arrays_.size(); ++i) s += fmt::format("  real* {};  // {}\n", ident(arrays_[i], i), arrays_[i]);
    s += "};\n\n";
    for (const auto& b : bodies) s += b + "\n";
    s += tables();
    s += kernel_function();
    return out;
  }

 private:
  std::size_t slot(const std::string& name) {
    auto it = std::find(arrays_.begin(), arrays_.end(), name);
    if (it != arrays_.end()) return static_cast<std::size_t>(it - arrays_.begin());
    arrays_.push_back(name);
    return arrays_.size() - 1;
  }
  std::string member(const std::string& name) { return "a." + ident(name, slot(name)); }
  std::string math(const char* name) const { return f32_ ? std::string(name) + "f" : std::string(name); }

  // One compartment's fused update: every load before any store (states are read before
  // they are overwritten), values in the topological order of the DAG, as the LLVM emitter.
  std::string group_function(const ir::KernelGroup& g, std::size_t index) {
    std::vector<std::pair<std::string, ir::Expr>> outputs;
    for (const auto& st : g.new_states) outputs.emplace_back(st.name, st.expr);
    for (const auto& c : g.currents) outputs.emplace_back(c.name, c.expr);
    outputs.emplace_back("__voltage_term", g.voltage_term);
    outputs.emplace_back("__constant_term", g.constant_term);
    std::vector<ir::Expr> roots;
    for (const auto& o : outputs) roots.push_back(o.second);
    const std::vector<const ir::Node*> order = ir::topological_order(roots);
    std::unordered_map<std::string, const ir::Node*> updated;
    for (const auto& st : g.new_states) updated[st.name + ir::kUpdatedSuffix] = st.expr.node();

    std::string mechs;
    for (const auto& m : g.mechanisms) mechs += (mechs.empty() ? "" : ", ") + m;
    int n_comp = 0;
    for (auto [b, e] : g.runs) n_comp += e - b;
    std::string s = fmt::format("// Group {}: {} ({} compartments in {} run(s)).\n", index, mechs.empty() ? "no mechanism" : mechs,
                                n_comp, g.runs.size());
    s += fmt::format("__device__ __forceinline__ void group_{}(const Arrays& a, long long x, real dt) {{\n", index);
    std::unordered_map<const ir::Node*, std::string> val;
    int temp = 0;
    auto arg = [&](const ir::Node* n, int k) { return val.at(n->args[k]); };
    auto def = [&](const std::string& expr) {
      std::string name = fmt::format("t{}", temp++);
      s += fmt::format("  const real {} = {};\n", name, expr);
      return name;
    };
    for (const ir::Node* n : order) {
      if (n->op == ir::Op::State && updated.count(n->name)) {
        val[n] = val.at(updated.at(n->name));
        continue;
      }
      switch (n->op) {
        case ir::Op::Const: {
          const std::string lit = literal(n->value, f32_);
          val[n] = lit[0] == '-' ? "(" + lit + ")" : lit;  // never "--" or "- -" after an operator
          break;
        }
        case ir::Op::Param:
        case ir::Op::State: val[n] = def(member(n->name) + "[x]"); break;
        case ir::Op::Voltage: val[n] = def(member("v") + "[x]"); break;
        case ir::Op::TimeStep: val[n] = "dt"; break;
        case ir::Op::Add: val[n] = def(arg(n, 0) + " + " + arg(n, 1)); break;
        case ir::Op::Sub: val[n] = def(arg(n, 0) + " - " + arg(n, 1)); break;
        case ir::Op::Mul: val[n] = def(arg(n, 0) + " * " + arg(n, 1)); break;
        case ir::Op::Div: val[n] = def(arg(n, 0) + " / " + arg(n, 1)); break;
        case ir::Op::Neg: val[n] = def("-" + arg(n, 0)); break;
        case ir::Op::IntPow: {
          // Binary exponentiation in JAX's order, as ir::apply.
          std::string x = arg(n, 0), acc;
          for (int y = static_cast<int>(n->value); y > 0;) {
            if (y & 1) acc = acc.empty() ? x : def(acc + " * " + x);
            y >>= 1;
            if (y > 0) x = def(x + " * " + x);
          }
          val[n] = acc;
          break;
        }
        case ir::Op::Exp: val[n] = def("ranvier_exp(" + arg(n, 0) + ")"); break;
        // CUDA's pow/log/tanh are within 1-2 ulp of glibc's, not bit-identical (sqrt is exact).
        case ir::Op::Pow: val[n] = def(math("pow") + "(" + arg(n, 0) + ", " + arg(n, 1) + ")"); break;
        case ir::Op::Log: val[n] = def(math("log") + "(" + arg(n, 0) + ")"); break;
        case ir::Op::Tanh: val[n] = def(math("tanh") + "(" + arg(n, 0) + ")"); break;
        case ir::Op::Sqrt: val[n] = def(math("sqrt") + "(" + arg(n, 0) + ")"); break;
        case ir::Op::Min: val[n] = def("ranvier_min(" + arg(n, 0) + ", " + arg(n, 1) + ")"); break;
        case ir::Op::Max: val[n] = def("ranvier_max(" + arg(n, 0) + ", " + arg(n, 1) + ")"); break;
        case ir::Op::Less: val[n] = def(fmt::format("({} < {}) ? real(1) : real(0)", arg(n, 0), arg(n, 1))); break;
        case ir::Op::LessEq: val[n] = def(fmt::format("({} <= {}) ? real(1) : real(0)", arg(n, 0), arg(n, 1))); break;
        // != is true for NaN, as the CPU backend's unordered compare.
        case ir::Op::Select: val[n] = def(fmt::format("({} != real(0)) ? {} : {}", arg(n, 0), arg(n, 1), arg(n, 2))); break;
      }
    }
    for (const auto& o : outputs) s += fmt::format("  {}[x] = {};\n", member(o.first), val.at(o.second.node()));
    return s + "}\n";
  }

  std::string tables() {
    const int nn = model_.n_nodes();
    std::vector<std::vector<int>> runs(kernel_.groups.size());
    for (std::size_t g = 0; g < kernel_.groups.size(); ++g)
      for (auto [b, e] : kernel_.groups[g].runs) runs[g].push_back(b), runs[g].push_back(e);
    // Edges into each node (CSR, in edge order): the diagonal sums them in this order.
    std::vector<int> in_begin(nn + 1, 0), in_edge(model_.edges.size());
    for (const auto& e : model_.edges) ++in_begin[e.sink + 1];
    for (int i = 0; i < nn; ++i) in_begin[i + 1] += in_begin[i];
    std::vector<int> fill(in_begin.begin(), in_begin.end() - 1);
    for (std::size_t e = 0; e < model_.edges.size(); ++e) in_edge[fill[model_.edges[e].sink]++] = static_cast<int>(e);
    // Elimination steps, level by level: (child, parent, edge of A[child, parent], edge of A[parent, child]).
    std::vector<int> elim;
    for (const auto& level : schedule_.levels)
      for (auto [c, p] : level) {
        elim.push_back(c);
        elim.push_back(p);
        elim.push_back(schedule_.edge_to_parent[c]);
        elim.push_back(schedule_.edge_from_parent[c]);
      }
    std::vector<int> rec;
    for (const auto& r : model_.recordings) rec.push_back(static_cast<int>(slot(r.state))), rec.push_back(r.comp);
    std::size_t total = in_begin.size() + in_edge.size() + elim.size() + rec.size();
    for (const auto& r : runs) total += r.size();
    const bool constant = total * sizeof(int) <= 48 * 1024;  // __constant__ holds 64 KiB per module
    n_elim_ = static_cast<int>(elim.size() / 4);

    std::string s = "// The model's structure, compiled in.\n";
    for (std::size_t g = 0; g < runs.size(); ++g)
      s += fmt::format("// group {}: [begin, end) runs of compartments\n", g) + int_table(fmt::format("kRuns{}", g), runs[g], constant);
    s += "// edges into node i: kInEdge[kInBegin[i] .. kInBegin[i + 1])\n" + int_table("kInBegin", in_begin, constant) +
         int_table("kInEdge", in_edge, constant);
    s += fmt::format("// DHS elimination order ({} levels, allowed_nodes_per_level = {}): child, parent, lower edge, upper edge\n",
                     schedule_.levels.size(), schedule_.allowed_nodes_per_level) +
         int_table("kElim", elim, constant);
    s += "// recordings: buffer slot, compartment\n" + int_table("kRec", rec, constant) + "\n";
    return s;
  }

  std::string kernel_function() {
    const int nn = model_.n_nodes(), nc = model_.n_comp, nr = static_cast<int>(model_.recordings.size());
    const std::string v = member("v"), iext = member(ir::kExternalCurrent), area = member(kArea), dg = member(kAxialDt),
                      diag = member(kDiag), rhs = member(kRhs), vt = member("__voltage_term"), ct = member("__constant_term");
    std::string s;
    s += "// The whole time loop of one lane per thread. tab: the buffers (Arrays' order); stim: stimulus j\n"
         "// of step k at (k * n_stim + j) * B + lane, driving compartment stim_comp[j * B + lane] (-1: none);\n"
         "// clamps likewise (clamp_slot: the buffer, -1: none); rec: recording r of sample s at\n"
         "// (s * NR + r) * B + lane.\n";
    s += fmt::format(
        "extern \"C\" __global__ void {}(real* const* tab, int B, int n_steps, real dt, real d, int crank_nicolson,\n"
        "    const real* stim, const int* stim_comp, int n_stim, const int* clamp_slot, const int* clamp_comp,\n"
        "    const real* clamp_value, int n_clamp, real* rec) {{\n",
        kKernelName);
    s += "  const int b = blockIdx.x * blockDim.x + threadIdx.x;\n  if (b >= B) return;\n";
    s += "  const long long L = B;\n  Arrays a;\n";
    for (std::size_t i = 0; i < arrays_.size(); ++i) s += fmt::format("  a.{} = tab[{}];\n", ident(arrays_[i], i), i);
    s += fmt::format("  const int NN = {}, NC = {}, NR = {}, NELIM = {};\n", nn, nc, nr, n_elim_);
    s += "  for (int r = 0; r < NR; ++r) rec[r * L + b] = tab[kRec[2 * r]][kRec[2 * r + 1] * L + b];\n";
    s += "  for (int k = 0; k < n_steps; ++k) {\n";
    s += "    // 1. external currents: nA -> uA/cm^2\n";
    s += fmt::format("    for (int i = 0; i < NC; ++i) {}[i * L + b] = real(0);\n", iext);
    s += "    for (int j = 0; j < n_stim; ++j) {\n      const int c = stim_comp[j * L + b];\n"
         "      if (c < 0) continue;\n      const long long x = c * L + b;\n";
    s += fmt::format("      {0}[x] += stim[((long long)k * n_stim + j) * L + b] / {1}[x] * real({2});\n    }}\n", iext, area,
                     ir::kPointToDensity);  // ir::point_current_density
    s += "    // 2. channels, group by group\n";
    for (std::size_t g = 0; g < kernel_.groups.size(); ++g)
      s += fmt::format(
          "    for (int r = 0; r < {1}; ++r)\n"
          "      for (int i = kRuns{0}[2 * r]; i < kRuns{0}[2 * r + 1]; ++i) group_{0}(a, i * L + b, dt);\n",
          g, kernel_.groups[g].runs.size());
    s += "    // 3. clamps of states other than v (after the currents used the unclamped value)\n"
         "    for (int j = 0; j < n_clamp; ++j) {\n      const int sl = clamp_slot[j * L + b];\n"
         "      if (sl > 0) tab[sl][clamp_comp[j * L + b] * L + b] = clamp_value[((long long)k * n_clamp + j) * L + b];\n    }\n";
    s += "    // 4. implicit voltage solve: assemble, eliminate leaves to root, normalise, substitute back\n";
    s += "    for (int i = 0; i < NN; ++i) {\n      const long long x = i * L + b;\n      real dv, r;\n";
    s += fmt::format("      if (i < NC) {{\n        dv = d * {0}[x] + real(1);\n        r = {1}[x] + d * {2}[x];\n", vt, v, ct);
    s += "      } else {\n        dv = d * real(0);\n        r = real(0);\n      }\n";
    s += fmt::format("      for (int e = kInBegin[i]; e < kInBegin[i + 1]; ++e) dv += {}[kInEdge[e] * L + b];\n", dg);
    s += fmt::format("      {}[x] = dv;\n      {}[x] = r;\n    }}\n", diag, rhs);
    s += "    for (int e = 0; e < NELIM; ++e) {\n"
         "      const long long xc = kElim[4 * e] * L + b, xp = kElim[4 * e + 1] * L + b;\n"
         "      const int lo = kElim[4 * e + 2], up = kElim[4 * e + 3];\n";
    s += fmt::format("      const real lower = lo >= 0 ? -{0}[lo * L + b] : real(0);\n"
                     "      const real upper = up >= 0 ? -{0}[up * L + b] : real(0);\n", dg);
    s += fmt::format("      const real m = upper / {0}[xc];\n      {0}[xp] += -(lower * m);\n      {1}[xp] += -({1}[xc] * m);\n    }}\n",
                     diag, rhs);
    s += fmt::format("    for (int i = 0; i < NN; ++i) {0}[i * L + b] = {0}[i * L + b] / {1}[i * L + b];\n", rhs, diag);
    s += "    for (int e = NELIM - 1; e >= 0; --e) {\n"
         "      const long long xc = kElim[4 * e] * L + b, xp = kElim[4 * e + 1] * L + b;\n"
         "      const int lo = kElim[4 * e + 2];\n";
    s += fmt::format("      const real lower_n = (lo >= 0 ? -{0}[lo * L + b] : real(0)) / {1}[xc];\n"
                     "      {2}[xc] += -({2}[xp] * lower_n);\n    }}\n", dg, diag, rhs);
    s += "    // 5. the new voltage: Crank-Nicolson 2x - v, backward Euler x\n";
    s += fmt::format("    if (crank_nicolson) for (int i = 0; i < NN; ++i) {0}[i * L + b] = real(2) * {1}[i * L + b] - {0}[i * L + b];\n"
                     "    else for (int i = 0; i < NN; ++i) {0}[i * L + b] = {1}[i * L + b];\n", v, rhs);
    s += "    // 6. voltage clamps, after the solve\n"
         "    for (int j = 0; j < n_clamp; ++j)\n"
         "      if (clamp_slot[j * L + b] == 0) " + v + "[clamp_comp[j * L + b] * L + b] = clamp_value[((long long)k * n_clamp + j) * L + b];\n";
    s += "    // 7. recordings\n"
         "    for (int r = 0; r < NR; ++r) rec[((long long)(k + 1) * NR + r) * L + b] = tab[kRec[2 * r]][kRec[2 * r + 1] * L + b];\n";
    s += "  }\n}\n";
    return s;
  }

  const ir::Model& model_;
  const ir::KernelIR& kernel_;
  const ir::DhsSchedule& schedule_;
  bool f32_;
  std::vector<std::string> arrays_;
  int n_elim_ = 0;
};

}  // namespace

CudaSource emit_cuda(const ir::Model& model, const ir::KernelIR& kernel, const ir::DhsSchedule& schedule, bool float32) {
  // Not emitted yet: the voltage write of Fire, Izhikevich, Rate, AdEx and user channels that
  // return "v" (the CPU backends run them).
  for (const auto& m : model.mechanisms)
    if (m.writes_voltage())
      fail_unsupported("ranvier: the GPU backend does not support channels that write the voltage ('{}') yet", m.name);
  return Emitter(model, kernel, schedule, float32).run();
}

}  // namespace ranvier::cuda
