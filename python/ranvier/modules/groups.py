"""Jaxley's groups: ``view.add_to_group(name)``, then ``module.<name>`` is a view of the group's
compartments, ``group_names`` lists them and ``nodes`` has a boolean column per group."""
from __future__ import annotations


class GroupsMixin:
    def add_to_group(self, group_name: str) -> None:
        """Add the compartments in view to the group ``group_name`` (created if new)."""
        if not isinstance(group_name, str):
            raise TypeError(f"add_to_group: the group name must be a string, got {type(group_name).__name__}")
        self._base._core.add_to_group(group_name, [int(c) for c in self._comps])
