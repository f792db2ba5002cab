"""The models and inputs of test_jax_integrate.py, written once for both packages: each
builder takes the package (``jaxley`` or ``ranvier``) and builds the same model with it, so
tests/reference/jaxley_jax/make_jax_refs.py runs exactly this code on real Jaxley."""
import importlib

import jax
import jax.numpy as jnp
import numpy as np

T_MAX = 5.0  # ms
DT = 0.025  # ms
# 8 (gNa, gK) pairs, S/cm^2.
PARAMS = np.random.default_rng(0).uniform([0.05, 0.01], [0.5, 0.1], size=(8, 2))
AMPS = np.random.default_rng(1).uniform(size=(4, 2)) / 10.0  # nA, two stimuli per sample
LABELS = np.asarray([1.0, 0.0, 1.0, 0.0])


def hh_cell(jx):
    """Tutorial 04's cell, smaller: 3 branches of 2 compartments with Na, K, Leak."""
    channels = importlib.import_module(f"{jx.__name__}.channels")
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
    cell.insert(channels.Na())
    cell.insert(channels.K())
    cell.insert(channels.Leak())
    cell.branch(0).loc(0.0).stimulate(jx.step_current(1.0, 1.0, 0.1, DT, T_MAX), verbose=False)
    cell.branch(0).loc(0.0).record(verbose=False)
    cell.branch(2).loc(1.0).record(verbose=False)
    return cell


def data_set_simulate(jx, cell):
    """Tutorial 04's simulate: gNa and gK through data_set."""
    def simulate(params):
        ps = cell.data_set("Na_gNa", params[0], None)
        ps = cell.data_set("K_gK", params[1], ps)
        return jx.integrate(cell, param_state=ps, delta_t=DT)

    return simulate


def shared_gna_vmap(jx, cell):
    """vmap over gK only; one gNa shared by every lane (in_axes=None)."""
    simulate = data_set_simulate(jx, cell)
    return jax.vmap(lambda gna, gk: simulate(jnp.stack([gna, gk])), in_axes=(None, 0))


def tanh_net(jx):
    """Tutorial 07's network, with 2 cells: cell 0 drives cell 1 through a TanhRateSynapse."""
    channels = importlib.import_module(f"{jx.__name__}.channels")
    synapses = importlib.import_module(f"{jx.__name__}.synapses")
    connect = importlib.import_module(f"{jx.__name__}.connect")
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
    net = jx.Network([cell for _ in range(2)])
    connect.fully_connect(net.cell([0]), net.cell([1]), synapses.TanhRateSynapse())
    net.TanhRateSynapse.set("TanhRateSynapse_x_offset", -60.0)
    net.TanhRateSynapse.set("TanhRateSynapse_gS", 1e-3)
    net.TanhRateSynapse.set("TanhRateSynapse_slope", 0.1)
    net.insert(channels.Leak())
    net.cell(0).branch(0).loc(0.0).record(verbose=False)
    net.cell(1).branch(0).loc(0.0).record(verbose=False)
    net.make_trainable("radius", verbose=False)
    net.cell("all").branch("all").loc("all").make_trainable("Leak_gLeak", verbose=False)
    net.TanhRateSynapse.edge("all").make_trainable("TanhRateSynapse_gS", verbose=False)
    return net


def tanh_loss(jx, net):
    """Tutorial 07's loss: vmap over samples (two data_stimulate currents each), mean absolute
    error of the time-averaged voltage of cell 1."""
    def simulate(params, amps):
        currents = jx.datapoint_to_step_currents(i_delay=1.0, i_dur=1.0, i_amp=amps, delta_t=DT, t_max=T_MAX)
        data_stimuli = net.cell(0).branch(2).loc(1.0).data_stimulate(currents[0], None)
        data_stimuli = net.cell(0).branch(1).loc(1.0).data_stimulate(currents[1], data_stimuli)
        return jx.integrate(net, params=params, data_stimuli=data_stimuli, delta_t=DT, checkpoint_lengths=[15, 15])

    def loss(params, amps, labels):
        predictions = jax.vmap(lambda a: jnp.mean(simulate(params, a)[1]) + 72.0)(amps)
        return jnp.mean(jnp.abs(predictions - labels))

    return loss


GNA_SETS = np.asarray([[0.08], [0.12], [0.2], [0.35]])  # S/cm^2, 4 lanes of the trainable gNa


def trainable_cell(jx):
    """hh_cell with two trainables: one gNa for the cell, one radius per branch."""
    cell = hh_cell(jx)
    cell.make_trainable("Na_gNa", verbose=False)
    cell.branch("all").make_trainable("radius", verbose=False)
    return cell


def stimulus_current():
    """A data_stimulate current (nA) of its own shape: a ramp, so every sample matters."""
    n = int(T_MAX // DT) + 2
    return 0.05 * np.linspace(0.0, 1.0, n)


def stimulus_loss(jx, cell):
    """A weighted sum of the recordings, as a function of the trainables and of one
    data_stimulate current at branch 1 (the cell's own stimulus stays: its rows come first)."""
    def loss(params, current):
        data_stimuli = cell.branch(1).loc(0.5).data_stimulate(current, None)
        recs = jx.integrate(cell, params=params, data_stimuli=data_stimuli, delta_t=DT)
        n_rec, n = recs.shape
        w = jnp.cos(0.05 * jnp.arange(n)[None, :] + jnp.arange(n_rec)[:, None]) / n
        return jnp.sum(recs * w)

    return loss


def batched_trainables(cell):
    """get_parameters() with gNa taken from GNA_SETS: one lane per row (leading axis)."""
    params = cell.get_parameters()
    return [{"Na_gNa": jnp.asarray(GNA_SETS)}, {"radius": jnp.broadcast_to(params[1]["radius"], (len(GNA_SETS), 3))}]
