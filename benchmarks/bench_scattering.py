"""skscat vs kymatio 0.3 (torch frontend): 2D scattering throughput and peak memory.

Both run in this one process with the same torch thread count, alternating,
on the same float32 input; the table gives median seconds per batch, images
per second, the throughput ratio, the filter-build times and the peak RSS
above imports (each measured in a fresh subprocess, since peak RSS never
goes down within a process).

Usage::

    python benchmarks/bench_scattering.py            # CPU cases, CUDA cases too when a GPU is present
    python benchmarks/bench_scattering.py --repeats 7 --cases a b
"""

import argparse
import json
import sys
import time
from pathlib import Path

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per library (median reported)")
    parser.add_argument("--cases", nargs="*", default=None, help="subset of: " + " ".join(CASES))
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--no-roto", dest="roto", action="store_false", help="skip the roto-translation table")
    parser.add_argument("--probe", nargs=3, metavar=("LIBRARY", "CASE", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.probe:
        torch.set_num_threads(int(args.probe[2]))
        print(json.dumps(probe(*args.probe[:2])))
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


if __name__ == "__main__":
    main()
