"""``TypeOptimizer``: one optax optimizer per trainable parameter, each built with its own
arguments (e.g. a learning rate per parameter type), as ``jaxley.optimize.TypeOptimizer``."""
from __future__ import annotations

from typing import Any, Callable, Dict, List

__all__ = ["TypeOptimizer"]


def _only_key(entry: dict, what: str) -> str:
    if not isinstance(entry, dict) or len(entry) != 1:
        raise ValueError(f"{what} must be a one-key dict as returned by get_parameters(), got {entry!r}")
    return next(iter(entry))


class TypeOptimizer:
    """An optax-like optimizer over ``[{key: array}, ...]`` that runs ``optimizer(optimizer_args[key])``
    on entry ``{key: ...}``.

    ``optimizer``: a callable taking one value of ``optimizer_args`` and returning an optax
    ``GradientTransformation`` (``optax.adam``, ``lambda a: optax.sgd(a[0], momentum=a[1])``).
    ``opt_params``: only its length and keys are used (one optimizer per entry).
    """

    def __init__(self, optimizer: Callable, optimizer_args: Dict[str, Any], opt_params: List[Dict[str, Any]]):
        self.base_optimizer = optimizer
        self.optimizers = []
        for i, entry in enumerate(opt_params):
            key = _only_key(entry, f"opt_params[{i}]")
            if key not in optimizer_args:
                raise KeyError(f"TypeOptimizer: optimizer_args has no entry for '{key}' (opt_params[{i}]); "
                               f"it has {sorted(optimizer_args)}")
            self.optimizers.append({key: optimizer(optimizer_args[key])})

    def init(self, opt_params: List[Dict[str, Any]]) -> list:
        """One optimizer state per entry (as ``optax.GradientTransformation.init``)."""
        if len(opt_params) != len(self.optimizers):
            raise ValueError(f"TypeOptimizer.init: {len(opt_params)} entries but {len(self.optimizers)} optimizers")
        return [next(iter(opt.values())).init(entry) for entry, opt in zip(opt_params, self.optimizers)]

    def update(self, gradient: list, opt_state: list):
        """``(updates, new_opt_state)``, entry by entry (as ``optax.GradientTransformation.update``)."""
        if not (len(gradient) == len(opt_state) == len(self.optimizers)):
            raise ValueError(f"TypeOptimizer.update: {len(gradient)} gradients and {len(opt_state)} states for "
                             f"{len(self.optimizers)} optimizers")
        updates, states = [], []
        for grad, state, opt in zip(gradient, opt_state, self.optimizers):
            u, s = next(iter(opt.values())).update(grad, state)
            updates.append(u)
            states.append(s)
        return updates, states
