"""``jaxley.utils.morph_attributes``: geometry of a cylindrical compartment (lengths and radii in um)."""
import numpy as np


def cylinder_area(length, radius):
    """Membrane area of a cylinder, um^2 (no end caps)."""
    return 2.0 * np.pi * radius * length


def cylinder_volume(length, radius):
    """Volume of a cylinder, um^3."""
    return length * radius**2 * np.pi


def cylinder_resistive_load(length, radius):
    """Integral of 1 / (pi r^2) along the cylinder, 1/um: length over cross-section."""
    return length / radius**2 / np.pi


__all__ = ["cylinder_area", "cylinder_volume", "cylinder_resistive_load"]
