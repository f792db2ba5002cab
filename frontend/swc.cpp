// SWC reader reproducing Jaxley 0.14.0's read_swc (backend="graph"). See swc.h.
//
// The pipeline mirrors jaxley/io/graph.py step by step:
//   1. to_swc_graph          parse samples, parent links, edge lengths (min 1e-5)
//   2. _trace_branches       single-point soma, somatic branchpoints, DFS branch tracing,
//                            max_branch_len splitting, tracing interruptions
//   3. build_compartment_graph   per traced branch: ncomp compartments with frustum geometry
//                            (utils/morph_attributes.py) and interpolated x,y,z
//   4. from_graph            DFS over the compartment graph for the final branch/compartment
//                            order and the branch parents.
// Floating-point formulas follow the numpy/jax expressions operation by operation (including
// numpy's pairwise summation), so results agree to the last bits in almost all cases.
#include "frontend/swc.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "ir/error.h"

namespace ranvier::swc {

namespace {

constexpr double kPi = 3.141592653589793;  // np.pi

using Point = std::array<double, 4>;  // x, y, z, r

// ----------------------------------------------------------------------------------------
// numpy numerics
// ----------------------------------------------------------------------------------------

// numpy's pairwise summation (what np.sum does on a contiguous float64 array).
double pairwise_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

double np_sum(const std::vector<double>& v) { return pairwise_sum(v.data(), v.size()); }

// np.linspace(start, stop, num) (endpoint=True).
std::vector<double> np_linspace(double start, double stop, int num) {
  std::vector<double> y(static_cast<std::size_t>(num));
  const int div = num - 1;
  const double delta = stop - start;
  if (div > 0) {
    const double step = delta / div;
    for (int k = 0; k < num; ++k)
      y[k] = (step == 0.0) ? (static_cast<double>(k) / div) * delta : static_cast<double>(k) * step;
  } else {
    for (int k = 0; k < num; ++k) y[k] = static_cast<double>(k) * delta;
  }
  for (double& v : y) v += start;
  if (div > 0) y.back() = stop;
  return y;
}

// np.floor_divide for float64 (npy_floor_divide).
double np_floor_divide(double a, double b) {
  if (b == 0.0) return a / b;
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0.0) {
    if ((b < 0) != (mod < 0)) {
      mod += b;
      div -= 1.0;
    }
  }
  double floordiv;
  if (div != 0.0) {
    floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = std::copysign(0.0, a / b);
  }
  return floordiv;
}

// jnp.interp(x, xp, fp) with constant extrapolation; xp nondecreasing.
double jnp_interp(double x, const std::vector<double>& xp, const std::vector<double>& fp) {
  const std::size_t n = xp.size();
  std::size_t i = static_cast<std::size_t>(std::upper_bound(xp.begin(), xp.end(), x) - xp.begin());
  i = std::clamp<std::size_t>(i, 1, n - 1);
  const double df = fp[i] - fp[i - 1];
  const double dx = xp[i] - xp[i - 1];
  const double delta = x - xp[i - 1];
  const double epsilon = 4.930380657631324e-32;  // np.spacing(np.finfo(float64).eps)
  double f = (std::abs(dx) <= epsilon) ? fp[i - 1] : fp[i - 1] + (delta / dx) * df;
  if (x < xp[0]) f = fp[0];
  if (x > xp[n - 1]) f = fp[n - 1];
  return f;
}

// np.linalg.norm(b - a) over x, y, z.
double dist3(const Point& a, const Point& b) {
  const double dx = b[0] - a[0], dy = b[1] - a[1], dz = b[2] - a[2];
  return std::sqrt((dx * dx + dy * dy) + dz * dz);
}

// ----------------------------------------------------------------------------------------
// utils/morph_attributes.py
// ----------------------------------------------------------------------------------------

std::vector<std::vector<Point>> split_xyzr_into_equal_length_segments(const std::vector<Point>& xyzr,
                                                                      int ncomp) {
  if (xyzr.size() == 1) return std::vector<std::vector<Point>>(static_cast<std::size_t>(ncomp), xyzr);
  const std::size_t n = xyzr.size();
  std::vector<double> dists(n - 1), cum(n);
  cum[0] = 0.0;
  for (std::size_t k = 0; k + 1 < n; ++k) {
    dists[k] = dist3(xyzr[k], xyzr[k + 1]);
    cum[k + 1] = cum[k] + dists[k];
  }
  const double total = cum.back();
  const std::vector<double> target = np_linspace(0.0, total, ncomp + 1);
  std::vector<Point> split(target.size());
  for (std::size_t t = 0; t < target.size(); ++t) {
    long idx = static_cast<long>(std::upper_bound(cum.begin(), cum.end(), target[t]) - cum.begin()) - 1;
    idx = std::clamp<long>(idx, 0, static_cast<long>(n) - 2);
    const double local = target[t] - cum[idx];
    const double seg_len = dists[idx] < 1e-14 ? 1e-14 : dists[idx];
    const double frac = local / seg_len;
    for (int c = 0; c < 4; ++c) split[t][c] = xyzr[idx][c] + frac * (xyzr[idx + 1][c] - xyzr[idx][c]);
  }
  std::vector<std::vector<Point>> out;
  out.reserve(static_cast<std::size_t>(ncomp));
  for (std::size_t i = 1; i < split.size(); ++i) {
    std::vector<Point> seg{split[i - 1]};
    for (std::size_t k = 0; k < n; ++k)
      if (cum[k] > target[i - 1] && cum[k] < target[i]) seg.push_back(xyzr[k]);
    seg.push_back(split[i]);
    out.push_back(std::move(seg));
  }
  return out;
}

std::vector<double> segment_lengths(const std::vector<Point>& xyzr) {
  std::vector<double> l(xyzr.size() - 1);
  for (std::size_t k = 0; k + 1 < xyzr.size(); ++k) l[k] = dist3(xyzr[k], xyzr[k + 1]);
  return l;
}

double swc_resistive_load(const std::vector<Point>& xyzr) {
  const std::vector<double> l = segment_lengths(xyzr);
  std::vector<double> integrals(l.size());
  for (std::size_t k = 0; k < l.size(); ++k) {
    const double r1 = xyzr[k][3], r2 = xyzr[k + 1][3];
    const double dr = r2 - r1;
    if (std::abs(dr) <= 1e-8)  // np.isclose(dr, 0)
      integrals[k] = l[k] / (r1 * r1);
    else
      integrals[k] = l[k] / dr * (1.0 / r1 - 1.0 / r2);
  }
  return np_sum(integrals) / kPi;
}

struct MorphAttrs {
  double radius, area, volume, load_in, load_out;
};

// morph_attrs_from_xyzr(); the min_radius handling (assert / clip) is done by the caller.
MorphAttrs morph_attrs_from_xyzr(const std::vector<Point>& xyzr, int ncomp) {
  MorphAttrs m{};
  if (xyzr.size() > 1) {
    const std::vector<double> l = segment_lengths(xyzr);
    const std::size_t n = xyzr.size();
    // swc_radius
    std::vector<double> w(n, 0.0);
    for (std::size_t k = 1; k < n; ++k) w[k] += l[k - 1];
    for (std::size_t k = 0; k + 1 < n; ++k) w[k] += l[k];
    const double wsum = np_sum(w);
    std::vector<double> rw(n);
    for (std::size_t k = 0; k < n; ++k) rw[k] = xyzr[k][3] * (w[k] / wsum);
    m.radius = np_sum(rw);
    // swc_area, swc_volume
    std::vector<double> areas(n - 1), vols(n - 1);
    for (std::size_t k = 0; k + 1 < n; ++k) {
      const double r1 = xyzr[k][3], r2 = xyzr[k + 1][3];
      const double dr = r2 - r1;
      const double slant = std::sqrt(dr * dr + l[k] * l[k]);
      areas[k] = kPi * (r1 + r2) * slant;
      vols[k] = (kPi / 3) * l[k] * (r1 * r1 + r1 * r2 + r2 * r2);
    }
    m.area = np_sum(areas);
    m.volume = np_sum(vols);
    const auto halves = split_xyzr_into_equal_length_segments(xyzr, 2);
    m.load_in = swc_resistive_load(halves[0]);
    m.load_out = swc_resistive_load(halves[1]);
  } else {
    const double r = xyzr[0][3];
    m.radius = r;
    m.area = 4 * kPi * (r * r) / ncomp;
    m.volume = 4.0 / 3.0 * kPi * std::pow(r, 3.0) / ncomp;
    const double length = r / ncomp;
    m.load_in = m.load_out = length / std::pow(r, 2.0) / kPi;
  }
  return m;
}

// ----------------------------------------------------------------------------------------
// Parsing (np.loadtxt semantics: '#' comments, whitespace separated, blank lines skipped)
// ----------------------------------------------------------------------------------------

struct Row {
  long long id;
  int type;
  double x, y, z, r;
  long long parent;
  int line;
};

bool parse_double(std::string_view tok, double& out) {
  if (!tok.empty() && tok[0] == '+') {
    tok.remove_prefix(1);
    if (!tok.empty() && (tok[0] == '+' || tok[0] == '-')) return false;
  }
  if (tok.empty()) return false;
  const auto res = std::from_chars(tok.data(), tok.data() + tok.size(), out);
  if (res.ec == std::errc::result_out_of_range && res.ptr == tok.data() + tok.size()) {
    // Overflow gives +-inf (reported as non-finite), underflow 0 or a subnormal, as in Python.
    out = std::strtod(std::string(tok).c_str(), nullptr);
    return true;
  }
  return res.ec == std::errc() && res.ptr == tok.data() + tok.size();
}

std::vector<Row> parse_rows(const std::string& text, const std::string& src) {
  static const char* const kField[7] = {"id", "type", "x", "y", "z", "radius", "parent"};
  std::vector<Row> rows;
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    std::size_t end = pos;
    while (end < text.size() && text[end] != '\n' && text[end] != '\r') ++end;
    std::string_view line(text.data() + pos, end - pos);
    ++line_no;
    pos = end;
    if (pos < text.size()) {
      if (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ++pos;
      ++pos;
    }
    if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string_view> tok;
    std::size_t i = 0;
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; };
    while (i < line.size()) {
      while (i < line.size() && is_space(line[i])) ++i;
      std::size_t j = i;
      while (j < line.size() && !is_space(line[j])) ++j;
      if (j > i) tok.push_back(line.substr(i, j - i));
      i = j;
    }
    if (tok.empty()) continue;
    if (tok.size() != 7)
      fail("SWC file '{}', line {}: expected 7 fields (id type x y z radius parent), found {}: '{}'",
           src, line_no, tok.size(), std::string(line));
    double v[7];
    for (int k = 0; k < 7; ++k) {
      if (!parse_double(tok[k], v[k]))
        fail("SWC file '{}', line {}: field {} ({}) is not a number: '{}'", src, line_no, k + 1,
             kField[k], std::string(tok[k]));
      if (!std::isfinite(v[k]))
        fail("SWC file '{}', line {}: field {} ({}) is not a finite number: '{}'", src, line_no,
             k + 1, kField[k], std::string(tok[k]));
    }
    Row r{};
    r.line = line_no;
    constexpr double kMaxId = 9007199254740992.0;  // 2^53
    if (v[0] != std::floor(v[0]) || std::abs(v[0]) > kMaxId)
      fail("SWC file '{}', line {}: sample id '{}' is not an integer", src, line_no, std::string(tok[0]));
    if (v[6] != std::floor(v[6]) || std::abs(v[6]) > kMaxId)
      fail("SWC file '{}', line {}: parent id '{}' is not an integer", src, line_no, std::string(tok[6]));
    if (std::abs(v[1]) >= 2147483647.0)
      fail("SWC file '{}', line {}: type id '{}' is out of range", src, line_no, std::string(tok[1]));
    if (v[5] < 0)
      fail("SWC file '{}', line {}: negative radius {} for sample {}", src, line_no,
           std::string(tok[5]), std::string(tok[0]));
    r.id = static_cast<long long>(v[0]);
    r.type = static_cast<int>(std::trunc(v[1]));  // Python int()
    r.x = v[2];
    r.y = v[3];
    r.z = v[4];
    r.r = v[5];
    r.parent = static_cast<long long>(v[6]);
    rows.push_back(r);
  }
  return rows;
}

// ----------------------------------------------------------------------------------------
// SWC graph
// ----------------------------------------------------------------------------------------

struct Node {
  long long label;  // networkx node name (SWC id; shifted by one for a single-point soma)
  int type;         // SWC type id ("id" attribute in Jaxley)
  double x, y, z, r;
  long long p;      // "p" attribute (parent id, shifted like the labels)
  int line;         // line the attributes come from
  long long swc_id = -1;  // the sample's id as written in the file (labels may be shifted)
  bool bp = false;  // "type" == "branchpoint"
};

struct Edge {
  int i, j;  // node indices, in traversal direction
  double l;
};
using TracedBranch = std::vector<Edge>;

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  }
};

class SwcGraph {
 public:
  std::vector<Node> nodes;
  std::vector<std::vector<int>> adj;  // undirected, each neighbour once

  int add_node(const Node& n) {
    nodes.push_back(n);
    adj.emplace_back();
    return static_cast<int>(nodes.size()) - 1;
  }
  bool has_dedge(int a, int b) const { return directed_.count({a, b}) > 0; }
  bool has_uedge(int a, int b) const { return lengths_.count(key(a, b)) > 0; }
  void add_dedge(int a, int b) {
    if (directed_.insert({a, b}).second) directed_order_.push_back({a, b});
    if (lengths_.emplace(key(a, b), 0.0).second) {
      adj[a].push_back(b);
      adj[b].push_back(a);
    }
  }
  double& length(int a, int b) { return lengths_.at(key(a, b)); }
  const std::vector<std::pair<int, int>>& directed_edges() const { return directed_order_; }
  int degree(int a) const { return static_cast<int>(adj[a].size()); }

 private:
  static std::pair<int, int> key(int a, int b) { return {std::min(a, b), std::max(a, b)}; }
  std::set<std::pair<int, int>> directed_;
  std::vector<std::pair<int, int>> directed_order_;
  std::map<std::pair<int, int>, double> lengths_;
};

// networkx.dfs_edges(G, source, sort_neighbors=sorted) on an undirected adjacency whose
// neighbour lists are already sorted.
template <typename F>
void dfs_edges(const std::vector<std::vector<int>>& sorted_adj, int source, F&& visit) {
  std::vector<char> visited(sorted_adj.size(), 0);
  visited[source] = 1;
  std::vector<std::pair<int, std::size_t>> stack{{source, 0}};
  while (!stack.empty()) {
    auto& [parent, pos] = stack.back();
    const auto& children = sorted_adj[parent];
    bool descended = false;
    while (pos < children.size()) {
      const int child = children[pos++];
      if (!visited[child]) {
        const int par = parent;
        visit(par, child);
        visited[child] = 1;
        stack.push_back({child, 0});
        descended = true;
        break;
      }
    }
    if (!descended) stack.pop_back();
  }
}

}  // namespace

std::string group_name_for_type(int type_id) {
  switch (type_id) {
    case 0: return "undefined";
    case 1: return "soma";
    case 2: return "axon";
    case 3: return "basal";
    case 4: return "apical";
    default: return fmt::format("custom{}", type_id);
  }
}

namespace {

// ---- to_swc_graph: samples, parent links, edge lengths (min 1e-5) ----------------------
struct SwcTree {
  SwcGraph g;
  std::unordered_map<long long, int> index;  // label -> node index
};

SwcTree to_swc_graph(const std::vector<Row>& rows, const std::string& src) {
  SwcTree t;
  SwcGraph& g = t.g;
  std::unordered_map<long long, int>& index = t.index;
  for (const Row& r : rows) {
    const Node n{r.id, r.type, r.x, r.y, r.z, r.r, r.parent, r.line, r.id};
    auto it = index.find(r.id);
    if (it == index.end())
      index.emplace(r.id, g.add_node(n));
    else
      g.nodes[it->second] = n;  // networkx updates the attributes of an existing node
  }
  UnionFind uf(g.nodes.size());
  for (const Row& r : rows) {
    if (r.parent == -1) continue;
    auto it = index.find(r.parent);
    if (it == index.end())
      fail("SWC file '{}', line {}: sample {} has parent id {}, but no sample has id {}", src, r.line,
           r.id, r.parent, r.parent);
    if (r.parent == r.id)
      fail("SWC file '{}', line {}: sample {} is its own parent (a cycle)", src, r.line, r.id);
    const int p = it->second, c = index.at(r.id);
    if (!g.has_uedge(p, c)) {
      if (uf.find(p) == uf.find(c))
        fail("SWC file '{}', line {}: the link of sample {} to its parent {} closes a cycle; an SWC "
             "file must describe a tree",
             src, r.line, r.id, r.parent);
      uf.parent[uf.find(p)] = uf.find(c);
    }
    g.add_dedge(p, c);
  }
  if (!index.count(1))
    fail("SWC file '{}': no sample has id 1 (Jaxley's read_swc requires a sample with id 1)", src);
  for (std::size_t k = 1; k < g.nodes.size(); ++k) {
    if (uf.find(static_cast<int>(k)) != uf.find(0)) {
      std::set<int> comps;
      for (std::size_t m = 0; m < g.nodes.size(); ++m) comps.insert(uf.find(static_cast<int>(m)));
      fail("SWC file '{}', line {}: sample {} is not connected to sample {} (line {}); the file "
           "holds {} separate trees but a cell must be one connected tree (Jaxley would silently "
           "keep only one of them)",
           src, g.nodes[k].line, g.nodes[k].label, g.nodes[0].label, g.nodes[0].line, comps.size());
    }
  }
  // _add_edge_lengths: Euclidean distance, at least 1e-5.
  for (const auto& [p, c] : g.directed_edges()) {
    const Node& a = g.nodes[p];
    const Node& b = g.nodes[c];
    const double dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
    const double d = std::sqrt((dx * dx + dy * dy) + dz * dz);
    g.length(p, c) = d >= 1e-5 ? d : 1e-5;
  }

  return t;
}

// ---- _trace_branches, first part: a single-point soma becomes a cylinder, somatic
// branchpoints get zero-length edges. Returns the labels whose first point is ignored.
std::set<long long> prepare_soma(SwcTree& t, const std::string& src) {
  SwcGraph& g = t.g;
  std::unordered_map<long long, int>& index = t.index;
  std::set<long long> soma_ignore;  // labels
  std::vector<long long> soma_labels;
  for (const Node& n : g.nodes)
    if (n.type == 1) soma_labels.push_back(n.label);
  if (soma_labels.size() == 1) {
    // Single-point soma: a copy of sample 1 is attached to the soma with an edge of length 2r,
    // so that the soma becomes a cylinder with the area of the sphere.
    const int soma = index.at(soma_labels[0]);
    for (int nb : g.adj[soma]) g.length(soma, nb) = 0.0;
    if (index.count(0))
      fail("SWC file '{}', line {}: a sample with id 0 together with a single-point soma is not "
           "supported (Jaxley's read_swc overwrites that sample)",
           src, g.nodes[index.at(0)].line);
    const int one = index.at(1);
    g.nodes[one].p = 0;
    for (Node& n : g.nodes) n.p += 1;
    Node dup = g.nodes[one];
    dup.p = -1;
    dup.label = 0;
    const int d = g.add_node(dup);
    g.add_dedge(d, soma);
    g.length(d, soma) = 2 * g.nodes[soma].r;
    index.clear();
    for (std::size_t k = 0; k < g.nodes.size(); ++k) {
      g.nodes[k].label += 1;
      index[g.nodes[k].label] = static_cast<int>(k);
    }
    soma_ignore.insert(1);
    soma_ignore.insert(soma_labels[0] + 1);
  }
  // Somatic branchpoints (Jaxley looks the old soma labels up in the relabeled graph).
  for (long long label : soma_labels) {
    auto it = index.find(label);
    if (it == index.end())
      fail("SWC file '{}': Jaxley's read_swc fails on this file (single-point soma sample {} but no "
           "sample with id {})",
           src, label, label - 1);
    const int node = it->second;
    int somatic_neighbors = 0;
    for (int nb : g.adj[node]) somatic_neighbors += g.nodes[nb].type == 1;
    if (somatic_neighbors > 1) {
      for (int nb : g.adj[node]) {
        if (g.nodes[nb].type != 1) {
          soma_ignore.insert(g.nodes[node].label);
          g.length(node, nb) = 0.0;
        }
      }
    }
  }

  return soma_ignore;
}

struct Traced {
  std::vector<TracedBranch> branches;
  std::vector<int> types;  // SWC type id per branch
};

// ---- _trace_branches: DFS from the lowest-numbered tip, a branch ends at a tip, a
// branching node or a change of type.
Traced trace_branches(SwcGraph& g, const ReadOptions& opt, const std::string& src) {
  Traced t;
  std::vector<TracedBranch>& branches = t.branches;
  std::vector<int>& types = t.types;
  std::vector<std::vector<int>> sorted_adj = g.adj;
  for (auto& nbs : sorted_adj)
    std::sort(nbs.begin(), nbs.end(), [&](int a, int b) { return g.nodes[a].label < g.nodes[b].label; });
  auto is_leaf = [&](int n) { return g.degree(n) < 2; };
  auto is_branching = [&](int n) { return g.degree(n) > 2; };
  const std::set<int> relevant(opt.relevant_type_ids.begin(), opt.relevant_type_ids.end());
  auto has_same_id = [&](int a, int b) {
    const int ta = g.nodes[a].type, tb = g.nodes[b].type;
    if (!relevant.count(ta) && !relevant.count(tb)) return true;
    return ta == tb;
  };

  int root = -1;
  for (std::size_t k = 0; k < g.nodes.size(); ++k)
    if (is_leaf(static_cast<int>(k)) && (root < 0 || g.nodes[k].label < g.nodes[root].label))
      root = static_cast<int>(k);
  if (root < 0) fail("SWC file '{}': the morphology has no tip", src);  // impossible for a tree

  TracedBranch current;
  dfs_edges(sorted_adj, root, [&](int i, int j) {
    const int type_i = g.nodes[i].type;
    current.push_back({i, j, g.length(i, j)});
    if (is_leaf(j)) {
      if (!has_same_id(i, j)) {
        branches.emplace_back(current.begin(), current.end() - 1);
        types.push_back(type_i);
        branches.emplace_back(current.end() - 1, current.end());
        types.push_back(g.nodes[j].type);
      } else {
        branches.push_back(current);
        types.push_back(type_i);
      }
      current.clear();
    } else if (is_branching(j)) {
      branches.push_back(current);
      types.push_back(type_i);
      current.clear();
    } else if (!has_same_id(i, j)) {
      if (!g.has_dedge(i, j) && g.has_dedge(j, i)) {
        branches.push_back(current);
        types.push_back(type_i);
        current.clear();
      } else {
        branches.emplace_back(current.begin(), current.end() - 1);
        types.push_back(type_i);
        current = TracedBranch{current.back()};
      }
    }
  });
  {
    std::vector<TracedBranch> kept;
    std::vector<int> kept_types;
    for (std::size_t k = 0; k < branches.size(); ++k) {
      if (branches[k].empty()) continue;
      kept.push_back(std::move(branches[k]));
      kept_types.push_back(types[k]);
    }
    branches = std::move(kept);
    types = std::move(kept_types);
  }
  if (branches.empty()) fail("SWC file '{}': no branch could be traced", src);

  return t;
}

// ---- _split_branches: pieces of at most max_branch_len.
void split_long_branches(SwcGraph& g, Traced& t, double max_len) {
  std::vector<TracedBranch>& branches = t.branches;
  std::vector<int>& types = t.types;
  {
    std::vector<TracedBranch> out;
    std::vector<int> out_types;
    for (std::size_t b = 0; b < branches.size(); ++b) {
      std::vector<double> k(branches[b].size());
      double cum = 0.0;
      for (std::size_t e = 0; e < branches[b].size(); ++e) {
        cum += branches[b][e].l;
        k[e] = np_floor_divide(cum, max_len);
      }
      std::vector<double> uniq = k;
      std::sort(uniq.begin(), uniq.end());
      uniq.erase(std::unique(uniq.begin(), uniq.end()), uniq.end());
      for (std::size_t u = 0; u < uniq.size(); ++u) {
        TracedBranch piece;
        for (std::size_t e = 0; e < branches[b].size(); ++e)
          if (k[e] == uniq[u]) piece.push_back(branches[b][e]);
        if (u > 0) g.nodes[piece[0].i].bp = true;
        out.push_back(std::move(piece));
        out_types.push_back(types[b]);
      }
    }
    branches = std::move(out);
    types = std::move(out_types);
  }
}

// ---- _find_swc_tracing_interruptions and the splits at them.
void split_at_tracing_interruptions(SwcTree& tree, Traced& t, const std::string& src) {
  SwcGraph& g = tree.g;
  std::unordered_map<long long, int>& index = tree.index;
  std::vector<TracedBranch>& branches = t.branches;
  std::vector<int>& types = t.types;
  {
    // _find_swc_tracing_interruptions
    std::vector<int> interrupted;
    for (std::size_t n = 0; n < g.nodes.size(); ++n) {
      const long long parent = g.nodes[n].p;
      if (parent > -1 && parent != g.nodes[n].label - 1) {
        auto it = index.find(parent);
        if (it == index.end())
          fail("SWC file '{}', line {}: Jaxley's read_swc(..., ignore_swc_tracing_interruptions="
               "False) fails on this file (sample {} refers to parent {} that is not in its graph)",
               src, g.nodes[n].line, g.nodes[n].label, parent);
        if (!g.nodes[n].bp && !g.nodes[it->second].bp) interrupted.push_back(it->second);
      }
    }
    // _split_branches_if_swc_nodes_were_traced_with_interruption
    for (int node : interrupted) {
      std::size_t b = 0;
      for (; b < branches.size(); ++b) {
        bool found = false;
        for (const Edge& e : branches[b]) found = found || e.i == node || e.j == node;
        if (found) break;
      }
      std::vector<std::size_t> hits;
      if (b < branches.size())
        for (std::size_t e = 0; e < branches[b].size(); ++e) {
          if (branches[b][e].i == node) hits.push_back(e);
          if (branches[b][e].j == node) hits.push_back(e);
        }
      if (hits.size() < 2)
        fail("SWC file '{}', line {}: Jaxley's read_swc(..., ignore_swc_tracing_interruptions="
             "False) fails on this file (cannot split the traced branch at sample {})",
             src, g.nodes[node].line, g.nodes[node].label);
      const std::size_t brk = hits[1];
      TracedBranch first(branches[b].begin(), branches[b].begin() + static_cast<long>(brk));
      TracedBranch second(branches[b].begin() + static_cast<long>(brk), branches[b].end());
      branches[b] = std::move(first);
      branches.insert(branches.begin() + static_cast<long>(b) + 1, std::move(second));
      types.insert(types.begin() + static_cast<long>(b) + 1, types[b]);
    }
    for (int node : interrupted) g.nodes[node].bp = true;
  }

}

// ---- build_compartment_graph: ncomp compartments with frustum geometry per traced branch.
std::vector<std::vector<CompartmentGeometry>> traced_geometry(SwcGraph& g, const Traced& t, const std::set<long long>& soma_ignore,
                                                               const ReadOptions& opt, const std::string& src) {
  const std::vector<TracedBranch>& branches = t.branches;
  const std::vector<int>& types = t.types;
  const int ncomp = opt.ncomp;
  const std::size_t nb_traced = branches.size();
  std::vector<std::vector<CompartmentGeometry>> traced(nb_traced);
  for (std::size_t b = 0; b < nb_traced; ++b) {
    const TracedBranch& br = branches[b];
    std::vector<int> bnodes;  // _branch_e2n: unique nodes in order of appearance
    {
      std::unordered_set<int> seen;
      for (const Edge& e : br)
        for (int v : {e.i, e.j})
          if (seen.insert(v).second) bnodes.push_back(v);
    }
    if (bnodes.size() != br.size() + 1)
      fail("SWC file '{}': internal error, traced branch {} is not a path", src, b);
    std::vector<double> path(bnodes.size(), 0.0);  // np.cumsum([0, l...])
    for (std::size_t e = 0; e < br.size(); ++e) path[e + 1] = path[e] + br[e].l;
    std::vector<Point> pts(bnodes.size());
    std::vector<int> ptype(bnodes.size());
    for (std::size_t k = 0; k < bnodes.size(); ++k) {
      const Node& n = g.nodes[bnodes[k]];
      pts[k] = {n.x, n.y, n.z, n.r};
      ptype[k] = n.type;
    }
    if (ptype[0] != ptype[1]) {  // "fix id and r bleed over from neighboring neurites"
      pts[0][3] = pts[1][3];
      ptype[0] = ptype[1];
    }
    std::vector<Point> xyzr = pts;
    if (soma_ignore.count(g.nodes[br[0].i].label)) xyzr.erase(xyzr.begin());

    const auto per_comp = split_xyzr_into_equal_length_segments(xyzr, ncomp);
    double branch_len = *std::max_element(path.begin(), path.end());
    if (branch_len < 1e-8) branch_len = 0.1;
    const double comp_len = branch_len / ncomp;
    const std::vector<double> locs = np_linspace(comp_len / 2, branch_len - comp_len / 2, ncomp);
    std::vector<double> colx(pts.size()), coly(pts.size()), colz(pts.size());
    for (std::size_t k = 0; k < pts.size(); ++k) {
      colx[k] = pts[k][0];
      coly[k] = pts[k][1];
      colz[k] = pts[k][2];
    }
    for (int c = 0; c < ncomp; ++c) {
      MorphAttrs m = morph_attrs_from_xyzr(per_comp[c], ncomp);
      if (!opt.min_radius) {
        if (!(m.radius > 0.0)) {
          int bad = bnodes[0];
          for (int v : bnodes)
            if (!(g.nodes[v].r > 0.0)) {
              bad = v;
              break;
            }
          fail("SWC file '{}', line {}: radius {} of sample {} gives compartment {} of a branch a "
               "mean radius of {}; Jaxley's read_swc rejects this (\"Radius 0.0 in SWC file\"), set "
               "min_radius",
               src, g.nodes[bad].line, g.nodes[bad].r, g.nodes[bad].swc_id, c, m.radius);
        }
      } else if (m.radius < *opt.min_radius || std::isnan(m.radius)) {
        m.radius = *opt.min_radius;
      }
      if (opt.min_radius && *opt.min_radius != 0.0 && *opt.min_radius > m.radius) m.radius = *opt.min_radius;
      CompartmentGeometry geo;
      geo.length = comp_len;
      geo.radius = m.radius;
      geo.area = m.area;
      geo.volume = m.volume;
      geo.resistive_load_in = m.load_in;
      geo.resistive_load_out = m.load_out;
      geo.x = jnp_interp(locs[c], path, colx);
      geo.y = jnp_interp(locs[c], path, coly);
      geo.z = jnp_interp(locs[c], path, colz);
      if (opt.assign_groups) geo.groups = {group_name_for_type(types[b])};
      geo.xyzr = per_comp[c];
      traced[b].push_back(std::move(geo));
    }
  }

  return traced;
}

// ---- from_graph: the compartment graph, its branchpoints, and the DFS that fixes the final
// branch and compartment order and the branch parents.
Morphology assemble_morphology(const SwcGraph& g, const Traced& t, const std::vector<std::vector<CompartmentGeometry>>& traced,
                               int ncomp, const std::string& src) {
  const std::vector<TracedBranch>& branches = t.branches;
  const std::size_t nb_traced = branches.size();
  // ---- compartment graph ---------------------------------------------------------------
  const int C = static_cast<int>(nb_traced) * ncomp;  // compartments, ids 0..C-1 (trace order)
  std::vector<int> bp_nodes;                            // swc node indices, graph order
  for (std::size_t n = 0; n < g.nodes.size(); ++n)
    if (g.nodes[n].bp) bp_nodes.push_back(static_cast<int>(n));
  std::unordered_map<int, int> bp_of_node;  // swc node -> position in bp_nodes
  for (std::size_t k = 0; k < bp_nodes.size(); ++k) bp_of_node[bp_nodes[k]] = static_cast<int>(k);
  const int N = C + static_cast<int>(bp_nodes.size());  // bp k has provisional id C + k
  std::vector<std::vector<int>> cadj(static_cast<std::size_t>(N));
  std::vector<int> in_deg(static_cast<std::size_t>(N), 0), out_deg(static_cast<std::size_t>(N), 0);
  std::vector<int> first_pred_branch(bp_nodes.size(), -1);
  std::set<std::pair<int, int>> directed;  // comp_graph.has_edge(a, b)
  auto add_cedge = [&](int a, int b) {
    directed.emplace(a, b);
    cadj[a].push_back(b);
    cadj[b].push_back(a);
    ++out_deg[a];
    ++in_deg[b];
  };
  for (std::size_t b = 0; b < nb_traced; ++b) {
    const int f = static_cast<int>(b) * ncomp, last = f + ncomp - 1;
    for (int c = f; c < last; ++c) add_cedge(c, c + 1);
    if (auto it = bp_of_node.find(branches[b].front().i); it != bp_of_node.end())
      add_cedge(C + it->second, f);
    if (auto it = bp_of_node.find(branches[b].back().j); it != bp_of_node.end()) {
      add_cedge(last, C + it->second);
      if (first_pred_branch[it->second] < 0) first_pred_branch[it->second] = static_cast<int>(b);
    }
  }
  for (std::size_t k = 0; k < bp_nodes.size(); ++k)
    if (first_pred_branch[k] < 0)
      fail("SWC file '{}', line {}: Jaxley's read_swc fails on this file (branchpoint at sample {} "
           "ends no branch)",
           src, g.nodes[bp_nodes[k]].line, g.nodes[bp_nodes[k]].label);
  // _set_branchpoint_indices: branchpoints are numbered after the compartments, ordered by
  // the branch that leads into them. _remove_branch_points_at_tips drops those of degree <= 1.
  std::vector<int> order(bp_nodes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return first_pred_branch[a] < first_pred_branch[b]; });
  std::vector<int> label(static_cast<std::size_t>(N));
  std::iota(label.begin(), label.begin() + C, 0);
  for (std::size_t r = 0; r < order.size(); ++r) label[C + order[r]] = C + static_cast<int>(r);
  std::vector<char> removed(static_cast<std::size_t>(N), 0);
  for (int v = C; v < N; ++v) removed[v] = (in_deg[v] + out_deg[v]) <= 1;
  for (int v = 0; v < N; ++v) {
    auto& nbs = cadj[v];
    nbs.erase(std::remove_if(nbs.begin(), nbs.end(), [&](int u) { return removed[u] != 0; }), nbs.end());
    std::sort(nbs.begin(), nbs.end(), [&](int a, int b) { return label[a] < label[b]; });
  }

  // ---- _set_comp_and_branch_index: DFS from the lowest-numbered tip ---------------------
  int croot = -1;
  for (int v = 0; v < N; ++v)
    if (!removed[v] && cadj[v].size() < 2 && (croot < 0 || label[v] < label[croot])) croot = v;
  std::vector<int> branch_of(static_cast<std::size_t>(N), -1), dfs_parent(static_cast<std::size_t>(N), -1);
  std::vector<int> comp_order{croot};
  branch_of[croot] = 0;
  int branch_index = 0;
  // build_solve_graph: both ends of an edge traversed against its direction get their xyzr
  // reversed (once, however many such edges they touch).
  std::vector<char> flip(static_cast<std::size_t>(N), 0);
  dfs_edges(cadj, croot, [&](int i, int j) {
    if (!directed.count({i, j}) && directed.count({j, i})) flip[i] = flip[j] = 1;
    branch_of[j] = branch_index;
    dfs_parent[j] = i;
    if (j < C) comp_order.push_back(j);
    if (cadj[j].size() < 2)
      ++branch_index;
    else if (j >= C)
      ++branch_index;
  });
  if (static_cast<int>(comp_order.size()) != C)
    fail("SWC file '{}': internal error, {} of {} compartments reached", src, comp_order.size(), C);

  Morphology out;
  const int nbranches = branch_of[comp_order.back()] + 1;
  out.branches.resize(static_cast<std::size_t>(nbranches));
  out.parents.assign(static_cast<std::size_t>(nbranches), -2);
  out.parents[0] = -1;
  for (int c : comp_order) {
    const int b = branch_of[c];
    if (b < 0 || b >= nbranches)
      fail("SWC file '{}': internal error, compartment order is not branch-major", src);
    out.branches[b].push_back(traced[static_cast<std::size_t>(c / ncomp)][static_cast<std::size_t>(c % ncomp)]);
    if (flip[c]) std::reverse(out.branches[b].back().xyzr.begin(), out.branches[b].back().xyzr.end());
    // inter-branch edges: the comp before a branchpoint is the parent of comps after it.
    const int p = dfs_parent[c];
    if (p >= C) out.parents[b] = branch_of[dfs_parent[p]];
  }
  for (int b = 0; b < nbranches; ++b)
    if (out.parents[b] == -2 || out.branches[b].empty())
      fail("SWC file '{}': internal error, branch {} has no parent or no compartments", src, b);
  return out;
}


}  // namespace

Morphology read_swc_text(const std::string& text, const std::string& src, const ReadOptions& opt) {
  if (opt.ncomp < 1) fail("read_swc('{}'): ncomp must be >= 1, got {}", src, opt.ncomp);
  if (opt.max_branch_len && (std::isnan(*opt.max_branch_len) || *opt.max_branch_len < 0))
    fail("read_swc('{}'): max_branch_len must be positive, got {}", src, *opt.max_branch_len);
  if (opt.min_radius && !(std::isfinite(*opt.min_radius) && *opt.min_radius >= 0))
    fail("read_swc('{}'): min_radius must be a finite number >= 0, got {}", src, *opt.min_radius);

  const std::vector<Row> rows = parse_rows(text, src);
  if (rows.empty()) fail("SWC file '{}': no samples (the file is empty or only has comments)", src);
  if (rows.size() == 1)
    fail("SWC file '{}', line {}: the file has a single sample; Jaxley's read_swc cannot read "
         "single-sample files",
         src, rows[0].line);
  SwcTree tree = to_swc_graph(rows, src);
  const std::set<long long> soma_ignore = prepare_soma(tree, src);
  Traced t = trace_branches(tree.g, opt, src);
  if (opt.max_branch_len && *opt.max_branch_len != 0.0) split_long_branches(tree.g, t, *opt.max_branch_len);
  for (std::size_t b = 1; b < t.branches.size(); ++b) tree.g.nodes[t.branches[b][0].i].bp = true;
  if (!opt.ignore_swc_tracing_interruptions) split_at_tracing_interruptions(tree, t, src);
  const auto traced = traced_geometry(tree.g, t, soma_ignore, opt, src);
  return assemble_morphology(tree.g, t, traced, opt.ncomp, src);
}

XyzrAttributes attributes_from_xyzr(const std::vector<Point>& xyzr, std::optional<double> min_radius, int ncomp,
                                    const std::string& what) {
  if (xyzr.empty()) fail("{}: no traced points", what);
  MorphAttrs m = morph_attrs_from_xyzr(xyzr, ncomp);
  if (!min_radius) {
    if (!(m.radius > 0.0))
      fail("{}: the traced radii give a mean radius of {}; Jaxley rejects this (\"Radius 0.0 in SWC file\"), pass "
           "min_radius",
           what, m.radius);
  } else if (m.radius < *min_radius || std::isnan(m.radius)) {
    m.radius = *min_radius;
  }
  return {m.radius, m.area, m.volume, m.load_in, m.load_out};
}

double numpy_sum(const std::vector<double>& values) { return np_sum(values); }

std::vector<std::vector<Point>> split_xyzr(const std::vector<Point>& xyzr, int ncomp) {
  if (xyzr.empty() || ncomp < 1) fail("split_xyzr: {} point(s) into {} piece(s)", xyzr.size(), ncomp);
  return split_xyzr_into_equal_length_segments(xyzr, ncomp);
}

Morphology read_swc(const std::string& path, const ReadOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail("SWC file '{}' is a folder, not a file", path);
  if (!std::filesystem::exists(path, ec)) fail("SWC file '{}': no such file", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("SWC file '{}': cannot open the file (permissions?)", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return read_swc_text(ss.str(), path, options);
}

}  // namespace ranvier::swc
