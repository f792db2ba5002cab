"""``jaxley.utils.misc_utils``: small array helpers that Jaxley users and tests import."""
import numpy as np


def cumsum_leading_zero(values) -> np.ndarray:
    """The running sum of ``values`` with a 0 in front: offsets of consecutive blocks of those sizes."""
    return np.concatenate([[0], np.cumsum(np.asarray(values))])


__all__ = ["cumsum_leading_zero"]
