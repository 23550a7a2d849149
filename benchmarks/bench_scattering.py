"""skscat vs kymatio 0.3 (torch frontend): 2D scattering throughput and peak memory.

Both run in this one process with the same torch thread count, alternating,
on the same float32 input; the table gives median seconds per batch, images
per second, the throughput ratio, the filter-build times and the peak RSS
above imports (each measured in a fresh subprocess, since peak RSS never
goes down within a process).

The paper configurations (``--paper``) run skscat's ``convention="scatnet"``
transforms beside ScatNetLight itself, in GNU Octave, on the same float32
planes in one run: planes per second, peak memory and the largest difference
between the two outputs (ScatNetLight's source: ``--scatnetlight DIR``, by
default ``$SCATNETLIGHT`` or /tmp/snl; without Octave or the source the table
gives skscat's side only).

Usage::

    python benchmarks/bench_scattering.py            # CPU cases, CUDA cases too when a GPU is present
    python benchmarks/bench_scattering.py --repeats 7 --cases a b
    python benchmarks/bench_scattering.py --paper --threads 1     # the paper configurations vs ScatNetLight
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    PeakRSS,
    import_kymatio_torch,
    median_times,
    print_table,
    probe_in_subprocess,
)

CASES = {
    "a": {"batch": 128, "channels": 3, "size": 32, "J": 2, "L": 8, "device": "cpu"},
    "b": {"batch": 128, "channels": 3, "size": 32, "J": 3, "L": 8, "device": "cpu"},
    "c": {"batch": 8, "channels": 3, "size": 224, "J": 4, "L": 8, "device": "cpu"},
    "gpu": {"batch": 128, "channels": 3, "size": 256, "J": 3, "L": 8, "device": "cuda"},
}


def build(library, case):
    """Build a scattering module for ``case``; return it and its build time in seconds (imports excluded)."""
    if library == "skscat":
        from skscat.scattering import Scattering2D
    elif library == "skscat-roto":
        from skscat.scattering import RotoTranslationScattering2D as Scattering2D
    else:
        Scattering2D = import_kymatio_torch()
    start = time.perf_counter()
    module = Scattering2D(J=case["J"], shape=(case["size"], case["size"]), L=case["L"])
    build_seconds = time.perf_counter() - start
    return module.to(case["device"]), build_seconds


def make_input(case):
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(case["batch"], case["channels"], case["size"], case["size"], generator=generator)
    return x.to(case["device"])


def forward_fn(module, x):
    def run():
        with torch.no_grad():
            module(x)
        if x.is_cuda:
            torch.cuda.synchronize()
    return run


def probe(library, case_name):
    """Peak RSS (CPU) or peak allocated CUDA memory above the post-import baseline, in MiB."""
    case = CASES[case_name]
    import_kymatio_torch()
    import skscat.scattering  # noqa: F401
    x = make_input(case)
    if case["device"] == "cuda":
        torch.cuda.reset_peak_memory_stats()
        base_cuda = torch.cuda.memory_allocated() / 2**20
    with PeakRSS() as peak:
        module, _ = build(library, case)
        forward_fn(module, x)()
    if case["device"] == "cuda":
        return {"peak_mib": torch.cuda.max_memory_allocated() / 2**20 - base_cuda}
    return {"peak_mib": peak.mib}


def bench_case(name, repeats):
    case = CASES[name]
    x = make_input(case)
    modules, builds = {}, {}
    for library in ("skscat", "kymatio"):
        modules[library], builds[library] = build(library, case)
    with torch.no_grad():
        reference = modules["kymatio"](x)
        error = (modules["skscat"](x) - reference).abs().max().item() / reference.abs().max().item()
    times = median_times({lib: forward_fn(m, x) for lib, m in modules.items()}, repeats)
    threads = torch.get_num_threads()
    memory = {lib: probe_in_subprocess(__file__, lib, name, threads)["peak_mib"] for lib in modules}
    label = f"{case['batch']}x{case['channels']}x{case['size']}x{case['size']} J={case['J']} L={case['L']} {case['device']}"
    return [
        label,
        f"{times['kymatio']:.3f}", f"{times['skscat']:.3f}",
        f"{case['batch'] / times['skscat']:.1f}", f"{times['kymatio'] / times['skscat']:.2f}x",
        f"{builds['kymatio']:.2f} / {builds['skscat']:.3f}",
        f"{memory['kymatio']:.0f} / {memory['skscat']:.0f}",
        f"{error:.1e}",
    ]


ROTO_CASES = ("a", "b")


def bench_roto_case(name, repeats):
    """Roto-translation scattering at CIFAR size, timed beside the translation transforms of the same J and L.

    No other library computes it (kymatio has no roto-translation scattering; ScatNetLight is MATLAB), so the
    table reports its own throughput and memory, and how it compares with the translation scattering.
    """
    case = CASES[name]
    x = make_input(case)
    modules = {lib: build(lib, case)[0] for lib in ("skscat-roto", "skscat", "kymatio")}
    times = median_times({lib: forward_fn(m, x) for lib, m in modules.items()}, repeats)
    memory = probe_in_subprocess(__file__, "skscat-roto", name, torch.get_num_threads())["peak_mib"]
    label = f"{case['batch']}x{case['channels']}x{case['size']}x{case['size']} J={case['J']} L={case['L']}"
    return [
        label, str(modules["skscat-roto"].n_paths), f"{times['skscat-roto']:.3f}",
        f"{case['batch'] / times['skscat-roto']:.1f}",
        f"{times['skscat-roto'] / times['skscat']:.2f}x", f"{times['skscat-roto'] / times['kymatio']:.2f}x",
        f"{memory:.0f}",
    ]


# The paper's configurations (Oyallon & Mallat, CVPR 2015), as ScatNetLight's configuration files build them:
# skscat's RotoTranslationScattering2D / Scattering2D parameters, the Octave operator, planes timed per library.
PAPER_CASES = {
    "cifar-tr": {"size": 64, "J": 4, "roto": True, "config": "cifar", "planes": 32, "octave_planes": 4,
                 "label": "CIFAR Y/U/V plane 64x64, J=4, Q=2, roto-translation"},
    "cifar-t": {"size": 64, "J": 4, "roto": False, "config": "cifar", "planes": 32, "octave_planes": 4,
                "label": "CIFAR plane 64x64, J=4, Q=2, translation"},
    "caltech-y": {"size": 256, "J": 6, "roto": True, "config": "caltech", "planes": 4, "octave_planes": 2,
                  "label": "Caltech Y plane 256x256, J=6, Q=2, roto-translation"},
    "caltech-uv": {"size": 64, "J": 4, "J2": 6, "roto": True, "config": "caltech-color", "planes": 32,
                   "octave_planes": 4, "label": "Caltech U/V plane 64x64, J=4, Q=2, order 2 at J=6"},
}

# Builds the case's ScatNetLight operator from its configuration file, times scat + format_scat per plane after
# one warm-up plane, and saves the coefficient vectors and the times.
_OCTAVE_SCRIPT = """
addpath(genpath('{snl}'));
d = load('{planes}');
options.Layers.size = double(d.size_); options.Layers.J = double(d.J); options.Layers.Type_scattering = d.type_;
if strcmp(d.config, 'cifar')
  Wop = create_config_layer_per_layer_cifar(options);
else
  options.Layers.size = 256; options.Layers.size_color = 64; options.Layers.J = 6;
  [Wop, Wop_color] = create_config_layer_per_layer_caltech(options);
  if strcmp(d.config, 'caltech-color'), Wop = Wop_color; end
end
n = size(d.planes, 1);
S = scat(single(squeeze(d.planes(1, :, :))), Wop);
times = zeros(n, 1); cpu = zeros(n, 1);
for i = 1:n
  tic; t = cputime; S = scat(single(squeeze(d.planes(i, :, :))), Wop); c = format_scat(S, 'order_table');
  v = [c{{1}}(:); c{{2}}(:); c{{3}}(:)]; times(i) = toc; cpu(i) = cputime - t;
  if i == 1, out = zeros(n, numel(v), 'single'); end
  out(i, :) = v;
end
save('-v7', '{result}', 'out', 'times', 'cpu');
"""


def paper_module(case):
    """skscat's module for a paper case (the transformers' ``_module`` for the same parameters)."""
    from skscat.scattering import RotoTranslationScattering2D, Scattering2D

    shape = (case["size"], case["size"])
    if case["roto"]:
        return RotoTranslationScattering2D(case["J"], shape, L=8, Q=2, convention="scatnet",
                                           order2_averaging_J=case.get("J2"))
    return Scattering2D(case["J"], shape, L=8, Q=2, convention="scatnet")


def paper_planes(case, n):
    """Uniform planes in [0, 255], float32 (ScatNetLight's pixel range); timing does not depend on content."""
    generator = torch.Generator().manual_seed(0)
    return torch.rand(n, case["size"], case["size"], generator=generator) * 255


def run_octave(case, planes, snl):
    """Time ScatNetLight in Octave on ``planes``.

    Returns its vectors, the median wall and CPU seconds per plane and its peak RSS (MiB).
    """
    import scipy.io

    with tempfile.TemporaryDirectory() as tmp:
        data, result, script = (os.path.join(tmp, name) for name in ("planes.mat", "out.mat", "run.m"))
        scipy.io.savemat(data, {"planes": planes.numpy().astype(np.float64), "size_": case["size"],
                                "J": case["J"], "type_": "tr" if case["roto"] else "t",
                                "config": case["config"]})
        Path(script).write_text(_OCTAVE_SCRIPT.format(snl=snl, planes=data, result=result))
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        command = ["octave", "--no-gui", "--no-window-system", "-q", "--eval", f"run('{script}')"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak RSS (KiB on Linux)
        if not os.path.exists(result):
            raise RuntimeError(f"Octave failed (status {status}): {process.stderr.read().decode()[-2000:]}")
        saved = scipy.io.loadmat(result)
    wall, cpu = (statistics.median(saved[key].ravel()) for key in ("times", "cpu"))
    return saved["out"], wall, cpu, usage.ru_maxrss / 1024


def probe_paper(case_name):
    """Peak RSS above imports of one forward pass over the case's planes (filter build included)."""
    case = PAPER_CASES[case_name]
    import skscat.scattering  # noqa: F401

    x = paper_planes(case, case["planes"])
    with PeakRSS() as peak, torch.no_grad():
        paper_module(case)(x)
    return {"peak_mib": peak.mib}


def _cpu_seconds(function, repeats):
    """Median process CPU seconds of ``function`` (less sensitive than wall time to a shared machine)."""
    function()
    times = []
    for _ in range(repeats):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return statistics.median(times)


def bench_paper_case(name, repeats, snl):
    case = PAPER_CASES[name]
    import skscat.scattering  # noqa: F401  (imports outside the build time)

    start = time.perf_counter()
    module = paper_module(case)
    build_seconds = time.perf_counter() - start
    x = paper_planes(case, case["planes"])
    run = forward_fn(module, x)
    wall = median_times({"skscat": run}, repeats)["skscat"] / case["planes"]
    cpu = _cpu_seconds(run, repeats) / case["planes"]
    memory = probe_in_subprocess(__file__, "paper", name, torch.get_num_threads())["peak_mib"]
    octave = ["-"] * 6
    if snl:
        planes = x[: case["octave_planes"]]
        vectors, octave_wall, octave_cpu, octave_mib = run_octave(case, planes, snl)
        with torch.no_grad():
            ours = module(planes).numpy()
        error = (np.abs(ours - vectors).max(axis=1) / np.abs(vectors).max(axis=1)).max()
        octave = [f"{1 / octave_wall:.2f}", f"{octave_cpu:.2f}", f"**{octave_wall / wall:.0f}x**",
                  f"**{octave_cpu / cpu:.0f}x**", f"{octave_mib:.0f}", f"{error:.1e}"]
    return [case["label"], str(module.n_coefficients), f"{1 / wall:.1f}", f"{cpu:.3f}", octave[0], octave[1],
            octave[2], octave[3], f"{build_seconds:.2f}", f"{memory:.0f}", octave[4], octave[5]]


def find_scatnetlight(path):
    """ScatNetLight's source folder when it and Octave are both present, else None."""
    path = path or os.environ.get("SCATNETLIGHT", "/tmp/snl")
    if shutil.which("octave") and (Path(path) / "scatnet_light" / "core" / "scat.m").exists():
        return str(Path(path).resolve())
    return None


def paper_table(repeats, snl_dir):
    snl = find_scatnetlight(snl_dir)
    source = f"ScatNetLight from {snl} in Octave" if snl else "no Octave or ScatNetLight source: skscat only"
    print(f"\nThe paper configurations: skscat convention='scatnet' vs ScatNetLight ({source}), "
          f"{torch.get_num_threads()} torch thread(s), Octave with 1 BLAS thread, float32")
    header = ["configuration", "coefficients", "skscat planes/s", "skscat CPU s/plane", "ScatNetLight planes/s",
              "ScatNetLight CPU s/plane", "speed-up (wall)", "speed-up (CPU)", "skscat build s",
              "skscat peak MiB (above imports)", "Octave peak RSS MiB (whole process)", "max rel. diff"]
    print_table(header, [bench_paper_case(name, repeats, snl) for name in PAPER_CASES])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per library (median reported)")
    parser.add_argument("--cases", nargs="*", default=None, help="subset of: " + " ".join(CASES))
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--no-roto", dest="roto", action="store_false", help="skip the roto-translation table")
    parser.add_argument("--paper", action="store_true",
                        help="only the paper configurations, against ScatNetLight in Octave")
    parser.add_argument("--scatnetlight", default=None, help="ScatNetLight's source folder (default: $SCATNETLIGHT "
                        "or /tmp/snl)")
    parser.add_argument("--probe", nargs=3, metavar=("LIBRARY", "CASE", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.probe:
        torch.set_num_threads(int(args.probe[2]))
        result = probe_paper(args.probe[1]) if args.probe[0] == "paper" else probe(*args.probe[:2])
        print(json.dumps(result))
        return
    if args.paper:
        paper_table(args.repeats, args.scatnetlight)
        return
    names = args.cases or [n for n in CASES if CASES[n]["device"] == "cpu" or torch.cuda.is_available()]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, float32, median of {args.repeats}")
    header = ["input, J, L, device", "kymatio s/batch", "skscat s/batch", "skscat img/s", "speed-up",
              "filter build s (kymatio / skscat)", "peak MiB (kymatio / skscat)", "max rel. diff"]
    print_table(header, [bench_case(name, args.repeats) for name in names])
    if args.roto:
        print("\nRoto-translation scattering (skscat only: no peer computes it)")
        header = ["input, J, L", "paths K", "s/batch", "img/s", "time / skscat translation",
                  "time / kymatio translation", "peak MiB"]
        print_table(header, [bench_roto_case(name, args.repeats) for name in ROTO_CASES])
    paper_table(args.repeats, args.scatnetlight)


if __name__ == "__main__":
    main()
