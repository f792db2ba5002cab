// Reverse mode over the whole time loop with nested checkpointing (Jaxley's
// nested_checkpoint_scan): the forward pass keeps the states at the top-level chunk
// boundaries; the backward pass walks the chunks last to first, recomputes each chunk's
// sub-chunk boundaries from its start, recursing until single steps, which are recomputed
// once more with their intermediates (AdjointStep::Capture) and run backwards.
#include "runtime/gradient.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ir/error.h"
#include "ir/memory.h"
#include "runtime/adjoint_step.h"
#include "runtime/buffer_pool.h"
#include "runtime/geometry_vjp.h"
#include "runtime/interpreter.h"
#include "runtime/prepare.h"

namespace ranvier {
namespace runtime {
namespace {

// Gradients are taken at `params`; without them, at the trainables' initial values
// (get_parameters()), which is what a Jaxley user passes to integrate(params=...).
IntegrateOptions with_trainables(const ir::Model& model, IntegrateOptions options) {
  if (options.params.empty())
    for (const auto& t : model.trainables) options.params.push_back(t.init);
  return options;
}

}  // namespace

class GradientEngine {
 public:
  GradientEngine(ir::Model model, ir::TreeSolveSchedule tree, const IntegrateOptions& options, const StepChoice& choice)
      : model_(std::move(model)), tree_(std::move(tree)), options_(with_trainables(model_, options)), prepared_(prepare(model_, options_)) {
    if (!model_.synapses.empty()) {
      for (const auto& r : model_.recordings)
        for (const auto& grp : model_.synapses)
          if (r.state == grp.type.current_name())
            fail_unsupported("gradients of a recorded synapse current ('{}') are not supported yet; record voltages or "
                             "synapse states", r.state);
    }
    if (options.backend == "interpreter" && options.interpreter_uses_kernel_exp)
      fail_unsupported("gradients with interpreter_uses_kernel_exp are not supported");
    if (prepared_.solver == Solver::ExpEuler)
      for (const auto& t : model_.trainables) {
        const auto& geo = ir::geometry_columns();
        if (std::find(geo.begin(), geo.end(), t.key) != geo.end())
          fail_unsupported("gradients with respect to '{}' are not supported for solver 'exp_euler' (its transition matrix "
                           "expm(G dt) is not differentiated); use bwd_euler or crank_nicolson", t.key);
      }
    step_ = make_step(choice);
    check_first_step_against_interpreter();
    const int T = prepared_.n_steps;
    levels_ = options.checkpoint_lengths.empty()
                  ? default_checkpoint_lengths(T, (static_cast<std::size_t>(step_->state_size()) + step_->capture_doubles()) * sizeof(double))
                  : options.checkpoint_lengths;
    span_.assign(levels_.size(), 1);
    for (int i = static_cast<int>(levels_.size()) - 2; i >= 0; --i) span_[i] = span_[i + 1] * levels_[i + 1];
    stats_.checkpoint_lengths = levels_;
    stats_.compiled = step_->kernel_exp();
    for (const auto& r : model_.recordings) {
      int o = step_->offset(r.state);
      RANVIER_ASSERT(o >= 0);
      rec_.push_back(o + r.comp);
    }
  }

  Result forward() {
    const int T = prepared_.n_steps;
    Result result;
    result.n_recordings = static_cast<int>(rec_.size());
    result.n_samples = T + 1;
    result.data.assign(rec_.size() * static_cast<std::size_t>(T + 1), 0.0);
    std::vector<double> x = step_->initial_state(), y;
    auto record = [&](int sample, const std::vector<double>& s) {
      for (std::size_t r = 0; r < rec_.size(); ++r) result.data[r * (T + 1) + sample] = s[rec_[r]];
    };
    record(0, x);
    // One level over every step: keep each step's capture too, so that the backward pass
    // runs no forward step at all.
    const bool captures = levels_.size() == 1 && step_->capture_doubles() > 0;
    for (int k = 0; k < T; ++k) {
      if (k % span_[0] == 0) store(top_, x);
      if (captures) {
        top_captures_.push_back(pooled_capture());
        step_->forward(k, x, y, &top_captures_.back());
        count_capture(1);
      } else {
        step_->forward(k, x, y, nullptr);
      }
      ++stats_.steps_run;
      x.swap(y);
      record(k + 1, x);
    }
    n_samples_ = T + 1;
    return result;
  }

  Gradients backward(const std::vector<double>& cotangent) {
    if (cotangent.size() != rec_.size() * static_cast<std::size_t>(n_samples_))
      fail("vjp: the cotangent has {} values but the result has {} ({} recordings x {} samples)", cotangent.size(),
           rec_.size() * static_cast<std::size_t>(n_samples_), rec_.size(), n_samples_);
    cot_ = &cotangent;
    ParamCotangents pg = step_->zero_cotangents();
    std::vector<double> g(static_cast<std::size_t>(step_->state_size()), 0.0);
    const int T = prepared_.n_steps;
    if (!top_captures_.empty()) {
      for (int k = T - 1; k >= 0; --k) {
        inject(k + 1, g);
        step_->backward(k, top_[static_cast<std::size_t>(k)], top_captures_[static_cast<std::size_t>(k)], g, pg);
      }
    } else {
      for (int j = static_cast<int>(top_.size()) - 1; j >= 0; --j) {
        const long long k0 = j * span_[0];
        reverse(1, static_cast<int>(k0), static_cast<int>(std::min<long long>(span_[0], T - k0)), top_[j], g, pg);
      }
    }
    inject(0, g);
    // With all_states the initial state (membrane currents included) is an input, not a
    // function of the parameters: trainable initial states are overridden (gradient 0).
    if (!options_.all_states) {
      const std::vector<double> x0 = step_->initial_state();
      step_->backward_initial_currents(x0, g, pg);
    }
    return to_trainables(g, pg);
  }

  GradientStats stats() const { return stats_; }

  // Bytes this lane will hold at its peak: the recordings (the result, its copy in Vjp and the
  // cotangent), the stored states of every checkpoint level plus the one being advanced, and
  // the step captures of the innermost segment. An estimate made before any of it is allocated.
  double planned_bytes() const {
    const double state = static_cast<double>(step_->state_size()), capture = static_cast<double>(step_->capture_doubles());
    const double T = prepared_.n_steps;
    double stored = 1.0, captured = 0.0;
    for (std::size_t l = 0; l < levels_.size(); ++l) stored += std::min<double>(levels_[l], T + 1.0);
    if (capture > 0) captured = std::min<double>(levels_.back(), T);
    const double recordings = 3.0 * static_cast<double>(rec_.size()) * (T + 1.0);
    return 8.0 * (recordings + stored * state + captured * capture);
  }
  std::string describe() const {
    return fmt::format("{} recordings x {} samples, checkpoints {} of {} states each", rec_.size(), prepared_.n_steps + 1,
                       fmt::join(levels_, " x "), step_->state_size());
  }

  ~GradientEngine() {
    for (auto& x : top_) give_buffer(std::move(x));
    for (auto& c : top_captures_) release(c);
  }
  GradientEngine(const GradientEngine&) = delete;
  GradientEngine& operator=(const GradientEngine&) = delete;

 private:
  // The compiled step when chosen (falling back to the interpreter's where the choice allows
  // it and the compiled step does not cover the model, e.g. a compartment without
  // mechanisms), else the interpreter's step.
  std::unique_ptr<AdjointStep> make_step(const StepChoice& choice) const {
    if (choice.compiled) {
      if (!choice.fallback_to_interpreter) return choice.compiled(model_, tree_, prepared_);
      try {
        return choice.compiled(model_, tree_, prepared_);
      } catch (const NotSupported&) {
      }
    }
    return std::make_unique<AdjointStep>(model_, tree_, prepared_);
  }

  void store(std::vector<std::vector<double>>& list, const std::vector<double>& x) {
    std::vector<double> buffer = take_buffer(x.size());
    std::copy(x.begin(), x.end(), buffer.begin());
    list.push_back(std::move(buffer));
    ++live_;
    stats_.peak_stored_states = std::max(stats_.peak_stored_states, live_ + 1);  // + the state being advanced
    count_bytes();
  }
  // A capture whose buffers come from the pool: a compiled step's capture is vt and the
  // solve's solution, n_nodes values each (capture_doubles() in all), which forward() copies
  // into these buffers without allocating.
  AdjointStep::Capture pooled_capture() const {
    const std::size_t half = step_->capture_doubles() / 2;
    AdjointStep::Capture c;
    c.vt = take_buffer(half);
    c.solution = take_buffer(half);
    return c;
  }
  static void release(AdjointStep::Capture& c) {
    give_buffer(std::move(c.vt));
    give_buffer(std::move(c.solution));
  }

  // `delta` captures more (or fewer) are held.
  void count_capture(int delta) {
    live_captures_ += delta;
    count_bytes();
  }
  void count_bytes() {
    const std::size_t bytes = (static_cast<std::size_t>(live_ + 1) * static_cast<std::size_t>(step_->state_size()) +
                               static_cast<std::size_t>(live_captures_) * step_->capture_doubles()) * sizeof(double);
    stats_.peak_bytes = std::max(stats_.peak_bytes, bytes);
  }

  // The adjoint re-implements the interpreter's step. Its first step must give the
  // interpreter's state exactly (same ops, same order); a model feature the adjoint does not
  // know (synapses, ion diffusion, a mechanism that writes v, ...) makes them differ, and then
  // gradients would silently miss it: refuse instead. Costs one step.
  void check_first_step_against_interpreter() const {
    if (prepared_.n_steps < 1) return;
    Prepared one = prepared_;
    one.n_steps = 1;
    for (auto& s : one.stimulus) s = std::make_shared<const std::vector<double>>(s->begin(), s->begin() + 1);
    for (auto& c : one.clamp) c.resize(1);
    Interpreter interpreter(model_, tree_);
    const Result r = interpreter.run(one, true, step_->kernel_exp());
    std::vector<double> y;
    step_->forward(0, step_->initial_state(), y, nullptr);
    const States& st = *r.states;
    for (std::size_t i = 0; i < st.names.size(); ++i) {
      const int o = step_->offset(st.names[i]);
      if (o < 0) fail_unsupported("gradients: the model has state '{}', which the adjoint does not handle", st.names[i]);
      for (int k = 0; k < static_cast<int>(st.values[i].size()); ++k) {
        const double a = st.values[i][static_cast<std::size_t>(k)], b = y[static_cast<std::size_t>(o + k)];
        if (!(a == b || (std::isnan(a) && std::isnan(b))))
          fail_unsupported("gradients: this model uses a feature the adjoint does not cover yet ('{}' at node {} after one "
                           "step: interpreter {}, adjoint {}); gradients are not supported for it",
                           st.names[i], k, a, b);
      }
    }
  }

  void inject(int sample, std::vector<double>& g) const {
    for (std::size_t r = 0; r < rec_.size(); ++r) g[rec_[r]] += (*cot_)[r * n_samples_ + sample];
  }

  // Steps [k0, k0 + len) from state x0, split into pieces of span_[level] steps each
  // (level == levels_.size(): a single step, run backwards).
  void reverse(std::size_t level, int k0, int len, const std::vector<double>& x0, std::vector<double>& g, ParamCotangents& pg) {
    if (level == levels_.size()) {
      RANVIER_ASSERT(len == 1);
      inject(k0 + 1, g);
      AdjointStep::Capture cap;
      std::vector<double> y;
      step_->forward(k0, x0, y, &cap);
      ++stats_.steps_run;
      step_->backward(k0, x0, cap, g, pg);
      return;
    }
    const long long sub = span_[level];
    if (sub == 1 && step_->capture_doubles() > 0) {
      reverse_with_captures(k0, len, x0, g, pg);
      return;
    }
    const int n_sub = static_cast<int>((len + sub - 1) / sub);
    const int last = k0 + static_cast<int>((n_sub - 1) * sub);  // start of the last piece
    std::vector<std::vector<double>> starts;
    std::vector<double> x = x0, y;
    for (int k = k0;; ++k) {
      if ((k - k0) % sub == 0) store(starts, x);
      if (k == last) break;
      step_->forward(k, x, y, nullptr);
      ++stats_.steps_run;
      x.swap(y);
    }
    for (int j = static_cast<int>(starts.size()) - 1; j >= 0; --j) {
      const int s0 = k0 + static_cast<int>(j * sub);
      reverse(level + 1, s0, static_cast<int>(std::min<long long>(sub, k0 + len - s0)), starts[j], g, pg);
      live_ -= 1;
      give_buffer(std::move(starts.back()));
      starts.pop_back();
    }
  }

  // Steps [k0, k0 + len) from x0 run once forwards keeping every state and capture, then
  // backwards: no step is recomputed.
  void reverse_with_captures(int k0, int len, const std::vector<double>& x0, std::vector<double>& g, ParamCotangents& pg) {
    std::vector<std::vector<double>> states;
    std::vector<AdjointStep::Capture> caps;
    for (int j = 0; j < len; ++j) caps.push_back(pooled_capture());
    std::vector<double> y;
    states.reserve(static_cast<std::size_t>(len));
    store(states, x0);
    for (int j = 0; j < len; ++j) {
      step_->forward(k0 + j, states.back(), y, &caps[static_cast<std::size_t>(j)]);
      count_capture(1);
      ++stats_.steps_run;
      if (j + 1 < len) store(states, y);
    }
    for (int j = len - 1; j >= 0; --j) {
      inject(k0 + j + 1, g);
      step_->backward(k0 + j, states[static_cast<std::size_t>(j)], caps[static_cast<std::size_t>(j)], g, pg);
      give_buffer(std::move(states.back()));
      states.pop_back();
      release(caps.back());
      caps.pop_back();
      live_ -= 1;
      count_capture(-1);
    }
  }

  Gradients to_trainables(const std::vector<double>& g, ParamCotangents& pg) const {
    auto& gc = pg.columns;
    const int n_comp = model_.n_comp;
    // Initial states are read from the node table's columns (unless all_states is given).
    const auto& names = step_->names();
    for (std::size_t i = 0; i < names.size() && !options_.all_states; ++i) {
      const int o = step_->offset(names[i]);
      if (const int gi = model_.synapse_group_of(names[i]); gi >= 0) {
        // A synapse state starts from its synapse table column (currents are not columns).
        const int c = model_.synapses[static_cast<std::size_t>(gi)].column_index(names[i]);
        if (c < 0) continue;
        auto& cot = pg.synapse_columns[static_cast<std::size_t>(gi)][static_cast<std::size_t>(c)];
        for (std::size_t e = 0; e < cot.size(); ++e) cot[e] += g[static_cast<std::size_t>(o) + e];
        continue;
      }
      int c = model_.column_index(names[i]);
      if (c < 0 || model_.is_current(names[i])) continue;
      for (int k = 0; k < n_comp; ++k) gc[c][k] += g[o + k];
    }
    auto col = [&](const char* name) { return model_.column_index(name); };
    for (int k = 0; k < n_comp; ++k) {
      gc[col("area")][k] += pg.area[k];
      gc[col("capacitance")][k] += pg.capacitance[k];
    }
    axial_conductances_vjp(model_, prepared_.columns, pg.axial, gc);
    // Which value of each (column, compartment) comes from which trainable group, and which
    // compartments have cylinder geometry recomputed from radius / length (prepare's order:
    // params, then param_state; the last writer wins).
    std::vector<char> cylinder(n_comp, 0);
    // A key's cotangent and owners: per compartment (node table) or per synapse of its type.
    std::map<std::string, std::vector<std::pair<int, int>>> owner;
    auto cotangent_of = [&](const std::string& key) -> std::vector<double>& {
      if (const int c = model_.column_index(key); c >= 0) return gc[static_cast<std::size_t>(c)];
      const int gi = model_.synapse_group_of(key);
      RANVIER_ASSERT(gi >= 0);
      const int c = model_.synapses[static_cast<std::size_t>(gi)].column_index(key);
      return pg.synapse_columns[static_cast<std::size_t>(gi)][static_cast<std::size_t>(c)];
    };
    auto owners = [&](const std::string& key) -> std::vector<std::pair<int, int>>& {
      auto& o = owner[key];
      if (o.empty()) o.assign(cotangent_of(key).size(), {-1, -1});
      return o;
    };
    for (std::size_t t = 0; t < model_.trainables.size(); ++t) {
      const auto& tr = model_.trainables[t];
      for (std::size_t grp = 0; grp < tr.groups.size(); ++grp)
        for (int k : tr.groups[grp]) {
          owners(tr.key)[static_cast<std::size_t>(k)] = {static_cast<int>(t), static_cast<int>(grp)};
          if (tr.key == "radius" || tr.key == "length") cylinder[k] = 1;
        }
    }
    for (const auto& ps : options_.param_state) {
      for (int k : ps.comps) {
        owners(ps.key)[static_cast<std::size_t>(k)] = {-1, -1};
        if (ps.key == "radius" || ps.key == "length") cylinder[k] = 1;
      }
    }
    cylinder_geometry_vjp(model_, prepared_.columns, cylinder, gc);
    Gradients out;
    for (std::size_t t = 0; t < model_.trainables.size(); ++t) {
      const auto& tr = model_.trainables[t];
      const std::vector<double>& cot = cotangent_of(tr.key);
      const auto& own = owners(tr.key);
      std::vector<double> grads(tr.groups.size(), 0.0);
      for (std::size_t grp = 0; grp < tr.groups.size(); ++grp)
        for (int k : tr.groups[grp])
          if (own[static_cast<std::size_t>(k)] == std::make_pair(static_cast<int>(t), static_cast<int>(grp)))
            grads[grp] += cot[static_cast<std::size_t>(k)];
      out.params.push_back(std::move(grads));
    }
    std::vector<std::size_t> lengths;
    for (const auto& st : model_.stimuli) lengths.push_back(st.current.size());
    for (const auto& st : options_.data_stimuli) lengths.push_back(st.current.size());
    RANVIER_ASSERT(lengths.size() == pg.stimulus.size());
    for (std::size_t s = 0; s < lengths.size(); ++s) {
      std::vector<double> row(lengths[s], 0.0);
      std::copy_n(pg.stimulus[s].begin(), std::min(row.size(), pg.stimulus[s].size()), row.begin());
      out.stimuli.push_back(std::move(row));
    }
    return out;
  }

  ir::Model model_;
  ir::TreeSolveSchedule tree_;
  IntegrateOptions options_;
  Prepared prepared_;
  std::unique_ptr<AdjointStep> step_;
  std::vector<int> levels_;
  std::vector<long long> span_;  // steps per piece at each level
  std::vector<std::vector<double>> top_;
  std::vector<AdjointStep::Capture> top_captures_;  // with one level and small captures: every step's
  std::vector<int> rec_;  // flat state index of each recording
  int n_samples_ = 0;
  int live_ = 0;
  int live_captures_ = 0;
  const std::vector<double>* cot_ = nullptr;
  GradientStats stats_;
};

}  // namespace runtime

std::vector<int> default_checkpoint_lengths(int n_steps, std::size_t state_bytes) {
  const double bytes = static_cast<double>(state_bytes) * (n_steps + 1.0);
  if (bytes <= static_cast<double>(kDefaultStateBudgetBytes) || n_steps < 4) return {std::max(n_steps, 1)};
  const int a = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n_steps))));
  return {a, (n_steps + a - 1) / a};
}

Vjp::Vjp(Result r, std::shared_ptr<runtime::GradientEngine> engine) : result(std::move(r)), engine_(std::move(engine)) {}

Gradients Vjp::operator()(const std::vector<double>& cotangent) const { return engine_->backward(cotangent); }

GradientStats Vjp::stats() const { return engine_->stats(); }

namespace runtime {

Vjp make_vjp(const ir::Model& model, const ir::TreeSolveSchedule& tree, const IntegrateOptions& options, const StepChoice& choice) {
  // A reset (Fire, Izhikevich, AdEx) makes v a discontinuous function of the parameters; the
  // adjoint of the voltage write is not derived (passes/derive_adjoint has the same check).
  for (const auto& m : model.mechanisms)
    if (m.writes_voltage())
      fail_unsupported("ranvier: gradients of models with channels that write the voltage ('{}') are not supported yet", m.name);
  auto engine = std::make_shared<GradientEngine>(model, tree, options, choice);
  check_memory(engine->planned_bytes(), "vjp (" + engine->describe() + ")");
  Result r = allocating("the forward pass of vjp (" + engine->describe() + ")", [&] { return engine->forward(); });
  return Vjp(std::move(r), std::move(engine));
}

void check_vjp_batch_memory(const ir::Model& model, const ir::TreeSolveSchedule& tree, const IntegrateOptions& options,
                            const StepChoice& choice, std::size_t batch) {
  const GradientEngine plan(model, tree, options, choice);  // sets up lane 0 only; runs no step but the first-step check
  check_memory(plan.planned_bytes() * static_cast<double>(batch),
               fmt::format("vjp of a batch of {} simulations (each {})", batch, plan.describe()));
}

void parallel_for(int n, int threads, const std::function<void(int)>& f) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::max(1, std::min(threads, n));
  std::atomic<int> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    for (int i; (i = next.fetch_add(1)) < n;) {
      try {
        f(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace runtime

BatchVjp::BatchVjp(std::vector<Vjp> lanes, int threads) : lanes_(std::move(lanes)), threads_(threads) {
  for (auto& lane : lanes_) results.push_back(lane.result);
}

std::vector<Gradients> BatchVjp::operator()(const std::vector<std::vector<double>>& cotangents) const {
  if (cotangents.size() != lanes_.size())
    fail("vjp: {} cotangents for a batch of {} simulations", cotangents.size(), lanes_.size());
  std::vector<Gradients> out(lanes_.size());
  runtime::parallel_for(static_cast<int>(lanes_.size()), threads_, [&](int b) { out[b] = lanes_[b](cotangents[b]); });
  return out;
}

std::vector<GradientStats> BatchVjp::stats() const {
  std::vector<GradientStats> out;
  for (const auto& lane : lanes_) out.push_back(lane.stats());
  return out;
}

}  // namespace ranvier
