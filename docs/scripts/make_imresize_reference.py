"""Regenerate tests/datasets/data/imresize_reference.npz with GNU Octave's image package (needs ``octave`` and octave-image).

Octave's imresize (image >= 2.14) follows MATLAB's algorithm (Keys cubic, a = -0.5, kernel widened by 1/scale
when shrinking, symmetric borders) but does not normalise the weights of each output pixel to sum to one, as
MATLAB does; for a separable linear resize that normalisation is the division by Octave's resize of an
all-ones image, which this script applies. (For upsampling and for shrinking by 1/integer the weights already
sum to one and the division changes nothing.) Inputs are seeded random integers 0..255.

    python docs/scripts/make_imresize_reference.py
"""

import subprocess
import tempfile
from pathlib import Path

import numpy as np
from scipy.io import loadmat, savemat

CASES = [
    ((7, 11), (15, 4)),
    ((12, 12), (32, 32)),
    ((32, 32), (8, 8)),
    ((24, 18), (8, 6)),
    ((20, 30), (7, 13)),
    ((9, 13), (20, 5)),
    ((40, 33), (11, 27)),
]
SCRIPT = """
pkg load image
s = load('-v7', '{inp}');
out = struct();
for k = 1:{n}
  x = double(s.(sprintf('x%d', k)));
  shape = double(s.(sprintf('shape%d', k)));
  out.(sprintf('y%d', k)) = imresize(x, shape) ./ imresize(ones(size(x)), shape);
end
save('-v7', '{out}', '-struct', 'out');
"""


def main():
    rng = np.random.default_rng(19)
    inputs = {
        f"x{k + 1}": rng.integers(0, 256, size=shape).astype(np.uint8) for k, (shape, _) in enumerate(CASES)
    }
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "in.mat", Path(tmp) / "out.mat"
        savemat(
            inp,
            {
                **inputs,
                **{f"shape{k + 1}": np.array(s, float) for k, (_, s) in enumerate(CASES)},
            },
        )
        script = SCRIPT.format(inp=inp, out=out, n=len(CASES))
        subprocess.run(["octave", "--no-gui", "--quiet", "--eval", script], check=True)
        result = loadmat(out)
    arrays = {}
    for k in range(1, len(CASES) + 1):
        arrays[f"x{k}"] = inputs[f"x{k}"]
        arrays[f"y{k}"] = result[f"y{k}"].astype(np.float32)
    np.savez_compressed(Path(__file__).resolve().parents[2] / "tests" / "datasets" / "data" / "imresize_reference.npz", **arrays)


if __name__ == "__main__":
    main()
