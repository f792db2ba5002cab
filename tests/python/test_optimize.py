"""``ranvier.optimize`` against real Jaxley 0.14's ``jaxley.optimize``: every transform gives
Jaxley's numbers (forward and inverse, also far outside the bounds where exponentials are
clipped), ParamTransform maps the same pytrees, TypeOptimizer makes the same optax updates, and
Jaxley's own test_type_optimizer (tests/test_optimize.py) passes with ``import ranvier as jx``."""
import numpy as np
import pytest

jax = pytest.importorskip("jax")
jaxley = pytest.importorskip("jaxley")
optax = pytest.importorskip("optax")
jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platform_name", "cpu")
import jax.numpy as jnp  # noqa: E402
import jaxley.optimize.transforms as jt_ref  # noqa: E402
from jaxley.optimize import TypeOptimizer as RefTypeOptimizer  # noqa: E402
from jaxley.optimize.utils import l2_norm as ref_l2_norm  # noqa: E402

import ranvier as jx  # noqa: E402
import ranvier.optimize.transforms as jt  # noqa: E402
from ranvier.channels import HH  # noqa: E402
from ranvier.optimize import TypeOptimizer  # noqa: E402
from ranvier.optimize.utils import l2_norm  # noqa: E402

X = jnp.linspace(-30.0, 30.0, 121)  # unconstrained values, beyond the exp clip at 20


def both(make):
    """The same transform built by ranvier's and by Jaxley's module."""
    return make(jt), make(jt_ref)


TRANSFORMS = {
    "identity": lambda m: m.IdentityTransform(),
    "sigmoid": lambda m: m.SigmoidTransform(-2.0, 3.0),
    "logistic": lambda m: m.LogisticTransform(1e-3, 1e3),
    "softplus": lambda m: m.SoftplusTransform(2.0),
    "softplus_threshold": lambda m: m.SoftplusTransform(-1.0, threshold=5.0),
    "neg_softplus": lambda m: m.NegSoftplusTransform(2.0),
    "affine": lambda m: m.AffineTransform(2.5, -1.0),
    "custom": lambda m: m.CustomTransform(jnp.tanh, jnp.arctanh),
    "chain": lambda m: m.ChainTransform([m.AffineTransform(1e-3, 0.0), m.SigmoidTransform(-2.0, 2.0)]),
    "masked": lambda m: m.MaskedTransform(jnp.arange(X.size) % 3 == 0, m.SoftplusTransform(0.5)),
}


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_transform_numbers_equal_jaxley(name):
    ours, ref = both(TRANSFORMS[name])
    x = jnp.clip(X, -0.99, 0.99) if name == "custom" else X
    np.testing.assert_allclose(ours.forward(x), ref.forward(x), rtol=1e-14, atol=0)
    np.testing.assert_allclose(ours(x), ref(x), rtol=1e-14, atol=0)
    y = ref.forward(x)
    np.testing.assert_allclose(ours.inverse(y), ref.inverse(y), rtol=1e-12, atol=1e-300, equal_nan=True)


def test_inverse_undoes_forward_inside_the_bounds():
    x = jnp.linspace(-3.0, 3.0, X.size)
    for name, make in TRANSFORMS.items():
        t = make(jt)
        xi = jnp.clip(x, -0.99, 0.99) if name == "custom" else x
        np.testing.assert_allclose(t.inverse(t.forward(xi)), xi, rtol=1e-9, atol=1e-9, err_msg=name)


def test_bounds():
    x = jnp.linspace(-10.0, 10.0, 9)
    assert jnp.all(jt.SigmoidTransform(-2.0, 2.0).forward(x) > -2.0)
    assert jnp.all(jt.SigmoidTransform(-2.0, 2.0).forward(x) < 2.0)
    assert jnp.all(jt.SoftplusTransform(-2.0).forward(x) > -2.0)
    assert jnp.all(jt.NegSoftplusTransform(2.0).forward(x) < 2.0)


def test_affine_zero_scale_is_an_error():
    with pytest.raises(ValueError, match="scale"):
        jt.AffineTransform(0.0, 1.0)


def test_param_transform_on_get_parameters_matches_jaxley():
    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=2), parents=[-1, 0, 0])
    cell.branch("all").make_trainable("radius", verbose=False)
    cell.branch(1).make_trainable("length", verbose=False)
    cell.branch("all").comp("all").make_trainable("axial_resistivity", verbose=False)
    params = cell.get_parameters()
    tf = [{next(iter(p)): make(jt)} for p, make in zip(params, [TRANSFORMS["chain"], TRANSFORMS["softplus"],
                                                                 TRANSFORMS["sigmoid"]])]
    tf_ref = [{next(iter(p)): make(jt_ref)} for p, make in zip(params, [TRANSFORMS["chain"], TRANSFORMS["softplus"],
                                                                         TRANSFORMS["sigmoid"]])]
    ours, ref = jx.ParamTransform(tf), jaxley.ParamTransform(tf_ref)
    fwd, fwd_ref = ours.forward(params), ref.forward(params)
    assert jax.tree_util.tree_structure(fwd) == jax.tree_util.tree_structure(fwd_ref)
    for a, b in zip(jax.tree_util.tree_leaves(fwd), jax.tree_util.tree_leaves(fwd_ref)):
        np.testing.assert_allclose(a, b, rtol=1e-14)
    for a, b in zip(jax.tree_util.tree_leaves(ours.inverse(fwd)), jax.tree_util.tree_leaves(ref.inverse(fwd_ref))):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    # One transform for a plain array; and under jit.
    arr = jnp.ones((4, 4))
    single = jt.ParamTransform(jt.SigmoidTransform(-2.0, 2.0))
    np.testing.assert_allclose(single.inverse(single.forward(arr)), arr, rtol=1e-12)
    np.testing.assert_allclose(jax.jit(single.forward)(arr), single.forward(arr), rtol=1e-15)


def test_type_optimizer_updates_equal_jaxley():
    params = [{"HH_gNa": jnp.asarray([0.1, 0.2])}, {"radius": jnp.asarray([5.0])}]
    grads = [{"HH_gNa": jnp.asarray([0.3, -0.1])}, {"radius": jnp.asarray([2.0])}]
    args = {"HH_gNa": [0.01, 0.1], "radius": [1.0, 0.2]}

    def make(args):
        return optax.sgd(args[0], momentum=args[1])

    ours, ref = TypeOptimizer(make, args, params), RefTypeOptimizer(make, args, params)
    state, state_ref = ours.init(params), ref.init(params)
    for _ in range(3):
        updates, state = ours.update(grads, state)
        updates_ref, state_ref = ref.update(grads, state_ref)
        for a, b in zip(jax.tree_util.tree_leaves(updates), jax.tree_util.tree_leaves(updates_ref)):
            np.testing.assert_allclose(a, b, rtol=1e-15)
    with pytest.raises(KeyError, match="radius"):
        TypeOptimizer(make, {"HH_gNa": [0.1, 0.0]}, params)


def test_l2_norm_equals_jaxley():
    tree = [{"a": 0.01}, {"b": jnp.asarray([[0.003, 0.05]])}, {"c": jnp.asarray([[0.006, 0.07]])}, 0.04]
    assert l2_norm(tree).item() == ref_l2_norm(tree).item()
    assert l2_norm(tree).item() == pytest.approx(np.sqrt(np.sum(np.asarray([0.01, 0.003, 0.05, 0.006, 0.07, 0.04]) ** 2)),
                                                 rel=1e-15)


def test_jaxley_type_optimizer_test_with_ranvier():
    """Jaxley's tests/test_optimize.py::test_type_optimizer: a parameter-type learning rate
    recovers the ground truth (gNa, radius), uniform rates do not."""
    comp = jx.Compartment()
    comp.insert(HH())
    comp.record(verbose=False)
    comp.stimulate(jx.step_current(i_delay=0.1, i_dur=3.0, i_amp=0.1, delta_t=0.025, t_max=5.0), verbose=False)
    comp.set("HH_gNa", 0.4)
    comp.set("radius", 30.0)

    def simulate(params):
        return jx.integrate(comp, params=params)

    observation = simulate([{}])
    comp.set("HH_gNa", 0.3)
    comp.make_trainable("HH_gNa", verbose=False)
    comp.set("radius", 20.0)
    comp.make_trainable("radius", verbose=False)
    grad_fn = jax.jit(jax.value_and_grad(lambda params: jnp.mean((observation - simulate(params)) ** 2)))

    def train(optimizer, steps):
        opt_params = comp.get_parameters()
        opt_state = optimizer.init(opt_params)
        for _ in range(steps):
            loss, grad = grad_fn(opt_params)
            updates, opt_state = optimizer.update(grad, opt_state)
            opt_params = optax.apply_updates(opt_params, updates)
        return loss

    assert train(TypeOptimizer(optax.adam, {"HH_gNa": 0.01, "radius": 1.0}, comp.get_parameters()), 500) < 1e-5
    assert train(optax.adam(0.01), 500) > 3.0
    assert train(optax.adam(1.0), 500) > 30.0
