"""convention="scatnet" beyond the paper's configurations, against ScatNetLight itself run in GNU Octave.

Skipped unless ``octave`` and ScatNetLight's source (``$SCATNETLIGHT``, default /tmp/snl) are present: CI has
neither; the stored reference (test_scatnet_reference.py) covers the paper's configurations there.
"""

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from skscat.scattering import RotoTranslationScattering2D, Scattering2D

SCATNETLIGHT = Path(os.environ.get("SCATNETLIGHT", "/tmp/snl"))
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (shutil.which("octave") and (SCATNETLIGHT / "scatnet_light" / "core" / "scat.m").exists()),
        reason="needs GNU Octave and ScatNetLight's source ($SCATNETLIGHT)",
    ),
]

# (Q, angular oversampling, angular J, type, L): other first-layer Q, angular settings and orientations.
CASES = [(1, 0, 1, "tr", 4), (3, 2, 3, "tr", 16), (3, 1, 2, "t", 8)]

# ScatNetLight's operators for one case, built the way its configuration files build them.
_SCRIPT = """
addpath(genpath('{snl}'));
d = load('{planes}');
J = 2; scat_opt.M = 2;
filt_opt.layer{{1}}.translation.J = J; filt_opt.layer{{1}}.translation.L = d.L;
scat_opt.layer{{1}}.translation.oversampling = 0; filt_opt.layer{{1}}.translation.n_wavelet_per_octave = d.Q;
filt_opt.layer{{2}}.translation.J = J; filt_opt.layer{{2}}.translation.L = d.L;
scat_opt.layer{{2}}.translation.oversampling = 0; scat_opt.layer{{2}}.translation.type = d.type_;
filt_opt.layer{{2}}.rotation.J = d.Jr; filt_opt.layer{{2}}.rotation.boundary = 'per';
filt_opt.layer{{2}}.rotation.filter_format = 'fourier_multires'; filt_opt.layer{{2}}.rotation.P = 0;
scat_opt.layer{{2}}.rotation.oversampling = d.os; scat_opt.layer{{2}}.rotation.output_averaging = 0;
filt_opt.layer{{3}} = filt_opt.layer{{2}}; scat_opt.layer{{3}} = scat_opt.layer{{2}};
Wop = wavelet_factory_2d(size(d.plane), filt_opt, scat_opt);
c = format_scat(scat(single(d.plane), Wop), 'order_table');
out = [c{{1}}(:); c{{2}}(:); c{{3}}(:)];
save('-v7', '{result}', 'out');
"""


def _scatnetlight(plane, case, tmp_path):
    import scipy.io

    Q, oversampling, angular_J, kind, L = case
    planes, result, script = tmp_path / "in.mat", tmp_path / "out.mat", tmp_path / "case_script.m"
    numbers = {"Q": Q, "os": oversampling, "Jr": angular_J, "L": L}  # as doubles: Octave cannot mix int64
    scipy.io.savemat(
        planes,
        {"plane": plane.astype(np.float64), **{k: float(v) for k, v in numbers.items()}, "type_": kind},
    )
    script.write_text(_SCRIPT.format(snl=SCATNETLIGHT.resolve(), planes=planes, result=result))
    subprocess.run(
        ["octave", "--no-gui", "--no-window-system", "-q", "--eval", f"run('{script}')"],
        check=False,
        capture_output=True,
        timeout=300,
    )
    assert result.exists(), "Octave did not produce ScatNetLight's output"
    return scipy.io.loadmat(result)["out"].ravel()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_scatnetlight_in_octave(case, tmp_path):
    Q, oversampling, angular_J, kind, L = case
    plane = (np.random.default_rng(0).random((24, 20)) * 255).astype(np.float32)  # non-square, not 2**k
    if kind == "tr":
        module = RotoTranslationScattering2D(
            2,
            plane.shape,
            L=L,
            Q=Q,
            convention="scatnet",
            n_angular_scales=angular_J,
            angular_oversampling=oversampling,
        )
    else:
        module = Scattering2D(2, plane.shape, L=L, Q=Q, convention="scatnet")
    expected = _scatnetlight(plane, case, tmp_path)
    got = module(torch.from_numpy(plane)).numpy()
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= 1e-4 * np.abs(expected).max()
