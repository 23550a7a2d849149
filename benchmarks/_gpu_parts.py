"""The parts of the GPU check (benchmarks/gpu_check.py): what each runs, its sizes, its figures.

Each part is a function of a :class:`PartContext` run in a subprocess of its own by the check; it
records figures as it goes (``ctx.record``), so a part stopped at its budget keeps what it measured.
A part whose code has not landed raises :class:`NotLanded`, naming the entry point it needs.
Every part also runs on the CPU at tiny sizes (``ctx.tiny``), which is how its code is rehearsed
on a machine without CUDA.
"""

import json
import math
import os
import subprocess
import sys
import time
import traceback
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO / "benchmarks"
MISSING_EXIT = 3  # a part's exit status when the code it checks has not landed
LOG_TAIL_CHARS = 4000


class NotLanded(Exception):
    """The code a part checks is not in this checkout (yet)."""


# --------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class Part:
    """One check: ``function(ctx)`` run in its own subprocess, or ``command`` (argv) as it is.

    ``ready()`` returns None when the code the part needs is present, else what is missing.
    An ``elastic`` part runs until the global budget is spent, at least ``budget_s``.
    """

    name: str
    budget_s: float
    summary: str
    function: object = None
    ready: object = None
    elastic: bool = False
    command: tuple = None


class PartContext:
    """What a running part sees: device, data, its budget; ``record`` saves figures at once."""

    def __init__(self, result_path, *, device, data_home, budget_s, tiny, workdir):
        self.result_path = Path(result_path)
        self.device, self.data_home, self.tiny = device, data_home, tiny
        self.budget_s, self.workdir = float(budget_s), Path(workdir)
        self.started = time.monotonic()
        self.figures = {}

    def remaining(self):
        return self.budget_s - (time.monotonic() - self.started)

    def record(self, **figures):
        """Add figures and write them now, so a part stopped later keeps what it measured."""
        self.figures.update(rounded(figures))
        write_json_atomic(self.result_path, {"figures": self.figures})


def rounded(value, digits=4):
    """Floats to ``digits`` significant digits, inside dicts and lists too (figures, not data)."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {key: rounded(item, digits) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(item, digits) for item in value]
    return value


def write_json_atomic(path, payload):
    tmp = Path(f"{path}.tmp")
    tmp.write_text(json.dumps(payload, indent=1, default=str))
    os.replace(tmp, path)


def _bench(name):
    """Import a benchmark module of this checkout by name."""
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    return __import__(name)


def _cuda_peak_reset(device):
    import torch

    if str(device).startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


def _cuda_peak_mib(device):
    import torch

    if not str(device).startswith("cuda"):
        return None
    torch.cuda.synchronize()
    return round(torch.cuda.max_memory_allocated() / 2**20, 1)


def _timed(function):
    start = time.perf_counter()
    out = function()
    return time.perf_counter() - start, out


# --- part: every @gpu test


def junit_counts(path):
    """Counts and failure messages from a pytest JUnit XML file."""
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    counts = {
        key: int(suite.get(key, 0))
        for key in ("tests", "failures", "errors", "skipped")
    }
    counts["passed"] = (
        counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    )
    problems = []
    for case in suite.iter("testcase"):
        for bad in list(case.findall("failure")) + list(case.findall("error")):
            name = f"{case.get('classname', '')}::{case.get('name', '')}"
            problems.append(f"{name}: {(bad.get('message') or '').strip()[:300]}")
    counts["problems"] = problems
    return counts


def part_gpu_tests(ctx):
    import pytest

    junit = ctx.workdir / "gpu_tests.xml"
    args = [
        "-m",
        "gpu",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
        str(REPO / "tests"),
    ]
    status = pytest.main(args)
    counts = junit_counts(junit) if junit.exists() else {}
    ctx.record(pytest_exit_status=int(status), **counts)
    if status not in (0, 5):
        raise RuntimeError(
            f"pytest -m gpu exit status {int(status)}: "
            + "; ".join(counts.get("problems", []))
        )
    if ctx.device.startswith("cuda") and counts.get("passed", 0) == 0:
        raise RuntimeError(
            f"no @gpu test ran on the CUDA device ({counts.get('skipped', 0)} skipped)"
        )


# --- part: scattering 128x3x256x256 J=3 vs kymatio on CUDA

SCATTERING_KEYS = (
    "input",
    "kymatio_s_per_batch",
    "skscat_s_per_batch",
    "skscat_images_per_s",
    "speedup",
    "filter_build_s_kymatio_skscat",
    "peak_mib_kymatio_skscat",
    "max_rel_diff",
)
SCATTERING_TOLERANCE = 1e-4  # float32, relative to the largest coefficient


def part_scattering(ctx):
    bench = _bench("bench_scattering")
    case = "a" if ctx.tiny else "gpu"  # "a" is the CPU case of the same code path
    try:
        row = bench.bench_case(case, repeats=1 if ctx.tiny else 3)
    except (
        subprocess.CalledProcessError
    ) as exc:  # its memory probe: say why, not only that it failed
        raise RuntimeError(f"{exc}: {_last_line(exc.stderr or '')}") from exc
    figures = dict(zip(SCATTERING_KEYS, row))
    ctx.record(**figures)
    if float(figures["max_rel_diff"]) > SCATTERING_TOLERANCE:
        raise RuntimeError(
            f"skscat differs from kymatio by {figures['max_rel_diff']} (> {SCATTERING_TOLERANCE})"
        )


# --- part: roto-translation scattering, the paper's configurations (ScatNetLight conventions)

# label, image side, J, planes per batch, other parameters (ScatNetLight's create_config_*.m, issue 12)
ROTO_CONFIGS = (
    ("cifar_64x64_J4_Q2", 64, 4, 256, {}),
    ("caltech_y_256x256_J6_Q2", 256, 6, 16, {}),
    # Caltech's U/V operator averages order 2 at the Y plane's J=6 (a 1x1 grid)
    ("caltech_uv_64x64_J4_Q2", 64, 4, 256, {"order2_averaging_J": 6}),
)


def _roto_module():
    import inspect

    from skscat.scattering import RotoTranslationScattering2D

    params = inspect.signature(RotoTranslationScattering2D).parameters
    if not {"Q", "convention"} <= set(params):
        raise NotLanded(
            "RotoTranslationScattering2D has no Q / convention parameters yet "
            "(issue 12, convention='scatnet', Q=2)"
        )
    return RotoTranslationScattering2D


def ready_roto():
    try:
        _roto_module()
    except NotLanded as exc:
        return str(exc)
    return None


def _roto_case(module_cls, ctx, size, J, batch, extra):
    import torch

    module = module_cls(
        J=J, shape=(size, size), L=8, Q=2, convention="scatnet", **extra
    )
    x = torch.rand(batch, size, size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        reference = module(x[:2])
        on_device, x_device = module.to(ctx.device), x.to(ctx.device)
        _cuda_peak_reset(ctx.device)
        seconds = min(
            _timed(lambda: _sync(on_device(x_device), ctx.device))[0] for _ in range(3)
        )
        diff = (
            on_device(x_device[:2]).cpu() - reference
        ).abs().max() / reference.abs().max()
    return {
        "planes_per_s": round(batch / seconds, 1),
        "s_per_batch": round(seconds, 4),
        "batch": batch,
        "n_paths": int(getattr(module, "n_paths", 0)),
        "peak_cuda_mib": _cuda_peak_mib(ctx.device),
        "max_rel_diff_vs_cpu": float(diff),
    }


def _sync(value, device):
    import torch

    if str(device).startswith("cuda"):
        torch.cuda.synchronize()
    return value


def part_roto(ctx):
    module_cls = _roto_module()
    for label, size, J, batch, extra in ROTO_CONFIGS:
        figures = _roto_case(module_cls, ctx, size, J, 2 if ctx.tiny else batch, extra)
        ctx.record(**{label: figures})
        if figures["max_rel_diff_vs_cpu"] > SCATTERING_TOLERANCE:
            raise RuntimeError(
                f"{label}: CUDA differs from CPU by {figures['max_rel_diff_vs_cpu']:.1e}"
            )


# --- part: TorchSVC 50,000 x 4,000 on CUDA vs SVC (fit time extrapolated from a subsample)

SVC_SUBSAMPLE = 3000  # bench_svm's 10,000 alone would take minutes of LIBSVM
# A first, smaller TorchSVC fit: a figure even if 50,000 rows overrun the budget.
SVC_FIRST_ROWS = 10000


def _torchsvc_alone(bench, ctx, spec, n_train):
    """TorchSVC alone at ``n_train`` rows of bench_svm's data (fit, predict 1,000 rows)."""
    from skscat.svm import TorchSVC

    X, y, X_test, _ = bench.make_data(n_train, spec["n_features"])
    model = TorchSVC(
        C=10, cache_size=spec["cache_size"], device=spec["device"], verbose=True
    )
    _cuda_peak_reset(spec["device"])
    fit_s, predict_s, _ = bench.fit_once(model, X, y, X_test)
    return {"fit_s": fit_s, "predict_1k_s": predict_s, "solver": model.solver_log.split(", ")[1],
            "peak_cuda_mib": _cuda_peak_mib(spec["device"])}  # fmt: skip


def part_torchsvc(ctx):
    bench = _bench("bench_svm")
    spec = dict(bench.CASES["cuda"], svc_subsample=SVC_SUBSAMPLE)
    first = SVC_FIRST_ROWS
    if ctx.tiny:
        spec.update(
            n_train=1500,
            n_features=100,
            cache_size=200,
            device=ctx.device,
            svc_subsample=500,
        )
        first = 600
    ctx.record(
        **{
            f"torchsvc_{first}x{spec['n_features']}": _torchsvc_alone(
                bench, ctx, spec, first
            )
        }
    )
    _cuda_peak_reset(spec["device"])
    result = bench.run_case("cuda", spec, repeats=1, threads=1, data_home=None)
    row, svc = result["rows"][0], result["svc"]
    ctx.record(
        shape=result["shape"],
        device=spec["device"],
        torchsvc_fit_s=row["fit_s"],
        torchsvc_predict_1k_s=row["predict_s"],
        solver=row["solver"],
        max_smo_steps=row["max_smo_steps"],
        svc_fit_s_extrapolated=svc["fit_s"],
        svc_predict_1k_s_extrapolated=svc["predict_s"],
        svc_extrapolated_from=svc["extrapolated_from"],
        fit_speedup=row["fit_speedup"],
        predict_speedup=row["predict_speedup"],
        peak_cuda_mib=_cuda_peak_mib(spec["device"]),
    )


# --- part: OLS feature selection at the CIFAR-10 paper shapes

# bench_ols's cases: "cifar10" is the paper's shape (10,000 x 113,712 float32, 10 classes, D=200, 2 rounds);
# "small" (2,000 x 8,192, D=50) is the rehearsal's. Its NumPy transcription of ols.m stays off: minutes of CPU.
OLS_CASE, OLS_TINY_CASE = "cifar10", "small"


def _ols_class():
    try:
        from skscat.feature_selection import OrthogonalLeastSquaresSelector
    except ImportError as exc:
        raise NotLanded(
            f"skscat.feature_selection.OrthogonalLeastSquaresSelector is missing ({exc}; issue 19)"
        )
    return OrthogonalLeastSquaresSelector


def ready_ols():
    try:
        _ols_class()
    except NotLanded as exc:
        return str(exc)
    return None


def _synthetic(n_samples, n_features, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n_samples) % 10)
    X = rng.standard_normal((n_samples, n_features), dtype=np.float32)
    X[:, :10] += (
        2.0 * np.eye(10, dtype=np.float32)[y]
    )  # a few class-informative columns
    return X, y


def _ols_agreement(selector_cls, device):
    """Same atoms on CPU and on ``device`` for a small problem."""
    import numpy as np

    X, y = _synthetic(400, 600, seed=1)
    X = X.astype(
        np.float64
    )  # no float32 near-ties: CPU and CUDA must pick the very same atoms
    atoms = [
        selector_cls(n_atoms_per_class=8, n_rounds=2, device=d)
        .fit(X, y)
        .selected_features_
        for d in ("cpu", device)
    ]
    return bool(np.array_equal(atoms[0], atoms[1]))


def _ols_direct(bench, selector_cls, ctx, case):
    """The selector timed here on bench_ols's data for ``case``: the fallback when its main() fails."""
    spec = bench.CASES[case]
    X, y, X_test, _ = bench.make_data(
        spec["n_train"], spec["n_test"], spec["n_features"], spec["n_classes"]
    )
    selector = selector_cls(
        n_atoms_per_class=spec["n_atoms"], n_rounds=spec["n_rounds"], device=ctx.device
    )
    _cuda_peak_reset(ctx.device)
    fit_s, reduced = _timed(lambda: selector.fit_transform(X, y))
    transform_s, _ = _timed(lambda: selector.transform(X_test))
    return {"shape": f"{X.shape[0]}x{X.shape[1]}", "fit_transform_s": fit_s, "transform_test_s": transform_s,
            "output_shape": list(reduced.shape), "peak_cuda_mib": _cuda_peak_mib(ctx.device)}  # fmt: skip


def part_ols(ctx):
    selector_cls = _ols_class()
    ctx.record(same_atoms_cpu_and_device=_ols_agreement(selector_cls, ctx.device))
    bench, case = _bench("bench_ols"), OLS_TINY_CASE if ctx.tiny else OLS_CASE
    _cuda_peak_reset(ctx.device)
    try:
        result = bench.main(case=case, device=ctx.device, transcription=False)
    except (
        Exception
    ) as exc:  # a broken benchmark must not cost the window its OLS figure
        ctx.record(bench_ols_error=f"{type(exc).__name__}: {exc}")
        ctx.record(direct=_ols_direct(bench, selector_cls, ctx, case))
        raise RuntimeError(f"bench_ols.main(case={case!r}) failed ({type(exc).__name__}: {exc}); "
                           "the selector was timed directly instead (figure 'direct')") from exc  # fmt: skip
    ctx.record(**result, peak_cuda_mib=_cuda_peak_mib(ctx.device))
    if not ctx.figures["same_atoms_cpu_and_device"]:
        raise RuntimeError(
            "OLS selects different atoms on CPU and on the device (400 x 600, D=8, 2 rounds)"
        )


# --- part: the paper's one-vs-all Gaussian SVM at 50,000 rows

# bench_ova_svm's cases (its data: 4,000 features, the CIFAR-10 OLS output, 2,000 test rows): one small
# enough for LIBSVM beside it (identical predictions), then the 10,000 and 50,000 rows on the device
# alone (LIBSVM takes minutes at 10,000 rows and 20 GB at 50,000). The first sizes give figures even if
# 50,000 rows overrun the budget.
OVA_LIBSVM_ROWS, OVA_ROWS, OVA_TEST = 2000, (10000, 50000), 2000
OVA_TINY = {"libsvm_rows": 300, "rows": (600,), "test": 200}
OVA_SAME_PREDICTIONS = 0.99


def _ova_class():
    try:
        from skscat.svm import MeanNormGaussianSVC
    except ImportError as exc:
        raise NotLanded(
            f"skscat.svm.MeanNormGaussianSVC is missing ({exc}; issue 19 moves it into skscat.svm)"
        )
    return MeanNormGaussianSVC


def ready_ova():
    try:
        _ova_class()
    except NotLanded as exc:
        return str(exc)
    return None


def _ova_case(bench, n_train, n_test, device, with_libsvm):
    """One bench_ova_svm case, flattened: the device solver's row, and LIBSVM's agreement when run."""
    result = bench.run_case(
        n_train, n_test, device, libsvm_max_gb=1e3 if with_libsvm else 0.0
    )
    figures = {key: value for key, value in result["rows"][0].items() if key != "impl"}
    for key in ("identical_predictions", "max_gap_relative_to_scale"):
        if key in result:
            figures[key] = result[key]
    if with_libsvm:
        figures["libsvm_fit_s"] = result["rows"][1]["fit_s"]
    return figures


def part_ova(ctx):
    _ova_class()
    bench = _bench("bench_ova_svm")
    if ctx.tiny:
        libsvm_rows, rows, n_test = (
            OVA_TINY["libsvm_rows"],
            OVA_TINY["rows"],
            OVA_TINY["test"],
        )
    else:
        libsvm_rows, rows, n_test = OVA_LIBSVM_ROWS, OVA_ROWS, OVA_TEST
    small = _ova_case(bench, libsvm_rows, n_test, ctx.device, with_libsvm=True)
    ctx.record(**{f"{libsvm_rows}x{bench.N_FEATURES}_vs_libsvm": small})
    for n_train in rows:
        ctx.record(
            **{
                f"{n_train}x{bench.N_FEATURES}": _ova_case(
                    bench, n_train, n_test, ctx.device, False
                )
            }
        )
    if small["identical_predictions"] < OVA_SAME_PREDICTIONS:
        raise RuntimeError(f"the device solver and LIBSVM agree on {small['identical_predictions']:.1%} of "
                           f"the test predictions at {libsvm_rows} rows")  # fmt: skip


# --- part: a short Scat + WRN training on the CIFAR subset

WRN = {
    "width": 8,
    "epochs": 4,
    "batch_size": 128,
}  # 4 epochs of 10,000 images: 316 steps
WRN_TINY = {"width": 1, "epochs": 1, "batch_size": 64, "n_train": 256, "n_test": 128}
AUTOCAST_PARAMS = ("autocast", "amp", "mixed_precision", "precision")


def _cifar(data_home, n_train=None, n_test=None):
    from skscat.datasets import load_cifar10

    X, y = load_cifar10(data_home, subset="train", return_X_y=True)
    X_test, y_test = load_cifar10(data_home, subset="test", return_X_y=True)
    return X[:n_train], y[:n_train], X_test[:n_test], y_test[:n_test]


def autocast_param(estimator):
    """Name of the estimator's mixed-precision parameter, or None when it has none."""
    names = [name for name in AUTOCAST_PARAMS if name in estimator.get_params()]
    return names[0] if names else None


def _train_wrn(ctx, data, config, extra):
    from skscat.networks import TorchCNNClassifier

    X, y, X_test, y_test = data
    clf = TorchCNNClassifier(
        module="scat_wrn",
        module__width=config["width"],
        max_epochs=config["epochs"],
        batch_size=config["batch_size"],
        lr=0.05,
        lr_schedule="cosine",
        device=ctx.device,
        random_state=0,
        **extra,
    )
    _cuda_peak_reset(ctx.device)
    fit_s, _ = _timed(lambda: clf.fit(X, y))
    steps = clf.n_epochs_ * math.ceil(len(X) / config["batch_size"])
    return {
        "steps": steps,
        "fit_s": round(fit_s, 2),
        "steps_per_s": round(steps / fit_s, 2),
        "train_images_per_s": round(clf.n_epochs_ * len(X) / fit_s, 1),
        "final_train_loss": float(clf.history_["train_loss"][-1]),
        "test_accuracy": float(clf.score(X_test, y_test)),
        "peak_cuda_mib": _cuda_peak_mib(ctx.device),
    }


def part_scat_wrn(ctx):
    from skscat.networks import TorchCNNClassifier

    config = WRN_TINY if ctx.tiny else WRN
    data = _cifar(ctx.data_home, config.get("n_train"), config.get("n_test"))
    ctx.record(n_train=len(data[0]), n_test=len(data[2]), width=config["width"])
    ctx.record(float32=_train_wrn(ctx, data, config, {}))
    name = autocast_param(TorchCNNClassifier())
    if name is None:
        ctx.record(bfloat16="not run: TorchCNNClassifier has no autocast parameter")
        return
    ctx.record(bfloat16=_train_wrn(ctx, data, config, {name: "bfloat16"}))


# --- part: the CIFAR-10 paper protocol (cvpr2015) on as many images as fit the time

# Training images per class: the paper's D=200 atoms per class need at least 200; the subset has 1,000.
PROTOCOL_PER_CLASS = (200, 500, 1000)
PROTOCOL_TINY = {"per_class": (4,), "test_per_class": 3, "n_atoms": 2}
# Images per feature batch on the GPU (the CLI's default, 16, suits a CPU).
PROTOCOL_BATCH = 128
RESULT_COLUMNS = ("representation", "accuracy", "mean_class_accuracy", "published", "n_train", "n_test",
                  "n_features", "n_reduced", "scattering_s", "ols_s", "svm_s", "wall_time_s", "peak_memory_gb",
                  "device", "convention")  # fmt: skip


def ready_protocol():
    from skscat.baselines.__main__ import _parser

    for action in _parser()._actions:
        if "--protocol" in action.option_strings:
            if action.choices is not None and "cvpr2015" not in action.choices:
                return f"skscat-baselines --protocol has no 'cvpr2015' choice (has {sorted(action.choices)})"
            ols = ready_ols()  # the protocol's feature selection
            return f"--protocol cvpr2015 needs the OLS selector: {ols}" if ols else None
    return (
        "skscat-baselines has no --protocol option yet (issue 19, --protocol cvpr2015)"
    )


def protocol_command(per_class, ctx, output):
    """``skscat-baselines --protocol cvpr2015`` on CIFAR-10, ``per_class`` training images per class, both
    representations; one feature cache for the growing runs (each computes only the chunks it adds)."""
    command = [sys.executable, "-m", "skscat.baselines", "--protocol", "cvpr2015", "--dataset", "cifar10",
               "--data-dir", str(ctx.data_home), "--max-train-per-class", str(per_class), "--device", ctx.device,
               "--output", str(output), "--cache-dir", str(ctx.workdir / "protocol_cache"), "--quiet"]  # fmt: skip
    if ctx.tiny:
        tiny = PROTOCOL_TINY
        return command + [
            "--max-test-per-class",
            str(tiny["test_per_class"]),
            "--n-atoms",
            str(tiny["n_atoms"]),
        ]
    return command + ["--batch-size", str(PROTOCOL_BATCH)]


def predicted_seconds(history, n_next):
    """Time of the next run, scaled linearly from the largest one done: optimistic on purpose,
    since a run that overruns is stopped at the budget and the runs before it are kept."""
    if not history:
        return 0.0
    n_done, seconds = history[-1]
    return seconds * n_next / n_done


def read_results_csv(path):
    import csv

    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def part_protocol(ctx):
    message = ready_protocol()
    if message:
        raise NotLanded(message)
    history, runs = [], []
    for per_class in PROTOCOL_TINY["per_class"] if ctx.tiny else PROTOCOL_PER_CLASS:
        n_train = 10 * per_class
        if predicted_seconds(history, n_train) > ctx.remaining() - 5:
            ctx.record(
                stopped_before=n_train, reason="predicted time exceeds the budget left"
            )
            return
        output = ctx.workdir / f"protocol_{n_train}"
        command = protocol_command(per_class, ctx, output)
        try:
            seconds, done = _timed(partial(_run_captured, command, ctx.remaining() - 3))
        except subprocess.TimeoutExpired:
            ctx.record(
                stopped_during=n_train, reason="the run reached the end of the budget"
            )
            return
        if done.returncode != 0:
            raise RuntimeError(
                f"n_train {n_train}: exit {done.returncode}: {_last_line(done.stderr)}"
            )
        history.append((n_train, seconds))
        rows = [
            {key: row.get(key) for key in RESULT_COLUMNS}
            for row in read_results_csv(output / "results_cvpr2015.csv")
        ]
        runs += [
            {"run_s": seconds, **row} for row in rows
        ]  # one flat row per representation
        ctx.record(runs=runs)


def _run_captured(argv, timeout_s):
    """Run ``argv``, echo the tail of its output into this part's log, return the CompletedProcess."""
    done = subprocess.run(
        argv, check=False, text=True, capture_output=True, timeout=max(timeout_s, 1)
    )
    print(
        done.stdout[-LOG_TAIL_CHARS:],
        done.stderr[-LOG_TAIL_CHARS:],
        sep="\n",
        flush=True,
    )
    return done


def _last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


PARTS = (
    Part("gpu_tests", 45, "every @gpu test (pytest -m gpu)", part_gpu_tests),
    Part(
        "scattering_cuda",
        50,
        "Scattering2D 128x3x256x256 J=3 vs kymatio 0.3 on CUDA (bench_scattering)",
        part_scattering,
    ),
    Part(
        "torchsvc_cuda",
        100,
        "TorchSVC 50,000 x 4,000 x 10 on CUDA vs SVC extrapolated (bench_svm)",
        part_torchsvc,
    ),
    Part(
        "scat_wrn_train",
        50,
        "Scat + WRN (width 8): 4 epochs, 316 SGD steps on the CIFAR subset (TorchCNNClassifier)",
        part_scat_wrn,
    ),
    Part(
        "roto_scatnet",
        30,
        "roto-translation scattering, paper configurations (Q=2, convention='scatnet')",
        part_roto,
        ready_roto,
    ),
    Part(
        "ols_cifar",
        45,
        "OLS selection at the CIFAR-10 paper shape, 10,000 x 113,712, D=200, 2 rounds (bench_ols cifar10)",
        part_ols,
        ready_ols,
    ),
    Part(
        "ova_svm_50k",
        65,
        "one-vs-all Gaussian SVM (MeanNormGaussianSVC) at 10,000 and 50,000 x 4,000 (bench_ova_svm)",
        part_ova,
        ready_ova,
    ),
    Part(
        "cvpr2015_cifar",
        60,
        "skscat-baselines --protocol cvpr2015 on CIFAR-10 (both representations), growing training set",
        part_protocol,
        ready_protocol,
        elastic=True,
    ),
)


def find_part(name, parts=PARTS):
    for part in parts:
        if part.name == name:
            return part
    raise SystemExit(
        f"--parts: unknown part {name!r}; choose from {', '.join(p.name for p in parts)}"
    )


def execute_part(part, ctx):
    """Run ``part`` in this process (the child side); return its exit status."""
    try:
        message = part.ready() if part.ready else None
        if message:
            raise NotLanded(message)
        part.function(ctx)
    except NotLanded as exc:
        write_json_atomic(ctx.result_path, {"figures": ctx.figures, "error": str(exc)})
        print(f"not landed: {exc}", file=sys.stderr)
        return MISSING_EXIT
    except BaseException as exc:  # noqa: BLE001  (everything, KeyboardInterrupt and SystemExit too, is the part's failure)
        traceback.print_exc()
        write_json_atomic(
            ctx.result_path,
            {"figures": ctx.figures, "error": f"{type(exc).__name__}: {exc}"},
        )
        return 1
    return 0
