"""Helpers laid out like jaxley/utils/ (plot_utils: drawing modules with matplotlib)."""
