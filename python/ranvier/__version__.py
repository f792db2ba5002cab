"""The package version (a module of its own, as ``jaxley.__version__``)."""
__version__ = "0.1.0"
