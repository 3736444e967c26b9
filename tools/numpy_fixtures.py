#!/usr/bin/python3
"""Writes pipeline/src/test/resources/npy/: arrays in the layouts numpy produces that ND4J's own readers
get wrong or refuse (Fortran order, 0-d, compressed archives, big-endian), for NpzTest. Dev tool.

Run:  /usr/bin/python3 tools/numpy_fixtures.py
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "pipeline", "src", "test", "resources", "npy")

def main():
    os.makedirs(OUT, exist_ok=True)
    m = np.arange(6, dtype=np.float64).reshape(2, 3) / 4.0  # [[0, .25, .5], [.75, 1, 1.25]]
    arrays = {
        "fortran": np.asfortranarray(m),
        "scalar": np.float64(2.5),
        "f32": m.astype(np.float32),
        "i32": np.array([3, -1, 7], dtype=np.int32),
        "i64": np.array([[1, 2], [3, 4]], dtype=np.int64),
        "big_endian": m.astype(">f8"),
    }
    np.savez_compressed(os.path.join(OUT, "layouts_compressed.npz"), **arrays)
    np.savez(os.path.join(OUT, "layouts.npz"), **arrays)
    np.save(os.path.join(OUT, "fortran.npy"), np.asfortranarray(m))
    np.savez(os.path.join(OUT, "bool.npz"), mask=np.array([True, False]))

if __name__ == "__main__":
    main()
