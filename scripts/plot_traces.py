#!/usr/bin/env python3
"""Plot a traces CSV written by `ranvier run` (column t_ms, then one voltage column each)."""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main(csv_path, png_path):
    with open(csv_path) as f:
        names = f.readline().strip().split(",")
    data = np.loadtxt(csv_path, delimiter=",", skiprows=1)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, name in enumerate(names[1:], start=1):
        ax.plot(data[:, 0], data[:, i], lw=1.2, label=name)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("membrane voltage (mV)")
    ax.set_title("Ranvier: HH neuron, somatic step current (labels: path distance from the soma)")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(png_path, dpi=120)
    print(f"plot written to {png_path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/traces.csv",
         sys.argv[2] if len(sys.argv) > 2 else "out/traces.png")
