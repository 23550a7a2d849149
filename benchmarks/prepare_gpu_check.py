"""Fill the carried folder of the GPU check and print the one device call that runs it.

Usage (from the checkout the device tool sends, i.e. the session's own repository)::

    python benchmarks/prepare_gpu_check.py [--carry .gpu-carry] [--shared ../shared] [--wheel NAME==VERSION ...]

The GPU machine has no network and no ``../shared``. This copies into ``--carry`` (ignored by git, so it
travels only when the call names it) exactly what ``benchmarks/gpu_check.py`` needs there:

- ``shared/data/cifar-10-batches-py``: the CIFAR-10 subset (about 37 MB);
- ``wheels/``: kymatio 0.3.0 (the one test and benchmark dependency the H200 image lacks), downloaded by
  pip for CPython 3.12 on x86-64; already there, it is not fetched again;
- ``shared/reference`` (7 MB: the OLS @gpu test reads ``scatnetlight_ols.npz``; ``--no-reference`` leaves it).

It prints the size of the carried tree and of everything that travels (the checkout's files plus the
carried tree), refuses more than 64 MiB, and prints the device call: the command and its carry list.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_WHEELS = ("kymatio==0.3.0",)
LIMIT_MIB = 64.0
RUN_TIMEOUT_S = 560  # gpu_check's 465 s budget, interpreter starts and the wheel install, with margin
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64",
             "manylinux2014_x86_64", "manylinux1_x86_64")  # fmt: skip


def tree_size(path):
    """Bytes of the regular files under ``path`` (0 when it does not exist)."""
    return sum(
        p.stat().st_size
        for p in Path(path).rglob("*")
        if p.is_file() and not p.is_symlink()
    )


def travelling_size(repo):
    """Bytes of the checkout files the device tool sends: tracked, and untracked but not ignored."""
    listing = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
        check=True,
        capture_output=True,
    ).stdout
    files = (Path(repo, name) for name in listing.decode().split("\0") if name)
    return sum(f.stat().st_size for f in files if f.is_file() and not f.is_symlink())


def copy_tree(source, destination):
    """Copy ``source`` into ``destination``, skipping files already there with the same size."""
    source, destination = Path(source), Path(destination)
    if not source.is_dir():
        raise FileNotFoundError(
            f"{source} is missing: pass --shared, the folder holding data/ (and reference/)"
        )
    for path in sorted(source.rglob("*")):
        target = destination / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif not target.exists() or target.stat().st_size != path.stat().st_size:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def _wheel_name(spec):
    return spec.split("==")[0].strip().lower().replace("-", "_")


def download_wheels(specs, folder, python=sys.executable):
    """Wheels for CPython 3.12 x86-64 into ``folder`` (one version each; existing ones kept)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        name, version = _wheel_name(spec), spec.partition("==")[2]
        for stale in folder.glob(f"{name}-*.whl"):
            if version and not stale.name.startswith(f"{name}-{version}-"):
                stale.unlink()  # two versions of one package stop the whole install
        if not list(folder.glob(f"{name}-*.whl")):
            command = [python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                       "--python-version", "3.12", "--implementation", "cp", "-d", str(folder), spec]  # fmt: skip
            command += [
                arg for platform in PLATFORMS for arg in ("--platform", platform)
            ]
            subprocess.run(command, check=True)
    return sorted(folder.glob("*.whl"))


def device_call(carry, repo=REPO):
    """The ``run`` arguments: the command string and the carry list (paths relative to the checkout)."""
    carried = os.path.relpath(Path(carry).resolve(), Path(repo).resolve())
    if carried.startswith(".."):
        raise SystemExit(
            f"--carry {carry} is outside the checkout {repo}: only the checkout travels"
        )
    check = "benchmarks/gpu_check.py" + (
        "" if carried == ".gpu-carry" else f" --carry {carried}"
    )
    command = (
        'set -o pipefail; mkdir -p "$OUT"; '
        f'PYTHONUNBUFFERED=1 python3 {check} "$OUT" 2>&1 | tee "$OUT/console.log"'
    )
    return {"command": command, "carry": [carried], "timeout_s": RUN_TIMEOUT_S}


def is_ignored(path, repo=REPO):
    done = subprocess.run(
        ["git", "-C", str(repo), "check-ignore", "-q", str(path)], check=False
    )
    return done.returncode == 0


def write_manifest(carry, repo=REPO):
    """``manifest.json``: when and from which commit the folder was filled, and what it holds."""
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=False, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip
    files = sorted(
        str(p.relative_to(carry)) for p in Path(carry).rglob("*") if p.is_file()
    )
    manifest = {"prepared_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "commit": head or None, "files": [f for f in files if f != "manifest.json"]}  # fmt: skip
    Path(carry, "manifest.json").write_text(json.dumps(manifest, indent=1))


def prepare(carry, shared, wheels, *, reference=True, limit_mib=LIMIT_MIB, repo=REPO):
    """Fill ``carry``; return the sizes in MiB and the device call. Raises when over ``limit_mib``."""
    carry = Path(carry)
    device_call(
        carry, repo
    )  # refuses a folder outside the checkout before copying anything
    copy_tree(
        Path(shared, "data", "cifar-10-batches-py"),
        carry / "shared/data/cifar-10-batches-py",
    )
    if reference:
        copy_tree(Path(shared, "reference"), carry / "shared/reference")
    wheel_files = download_wheels(wheels, carry / "wheels") if wheels else []
    write_manifest(carry, repo)
    carried = tree_size(carry) / 2**20
    total = carried + travelling_size(repo) / 2**20
    if total > limit_mib:
        raise SystemExit(
            f"what travels is {total:.1f} MiB (carried {carried:.1f} MiB), over the {limit_mib:.0f} MiB "
            "limit: pass --no-reference or remove large untracked files from the checkout"
        )
    return {"carried_mib": round(carried, 1), "travelling_mib": round(total, 1),
            "wheels": [w.name for w in wheel_files], **device_call(carry, repo)}  # fmt: skip


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--carry",
        default=str(REPO / ".gpu-carry"),
        help="folder to fill (default .gpu-carry)",
    )
    p.add_argument(
        "--shared",
        default=str(REPO.parent / "shared"),
        help="folder holding data/ (../shared)",
    )
    p.add_argument(
        "--wheel",
        nargs="*",
        default=list(DEFAULT_WHEELS),
        help="NAME==VERSION to carry",
    )
    p.add_argument(
        "--no-reference",
        action="store_true",
        help="leave shared/reference (7 MB; the OLS @gpu test then skips)",
    )
    args = p.parse_args(argv)
    plan = prepare(args.carry, args.shared, args.wheel, reference=not args.no_reference)
    if not is_ignored(args.carry):
        print(
            f"warning: {args.carry} is not ignored by git; add it to .gitignore",
            file=sys.stderr,
        )
    print(
        f"carried tree {args.carry}: {plan['carried_mib']} MiB ({', '.join(plan['wheels']) or 'no wheels'})"
    )
    print(
        f"everything that travels (checkout + carried): {plan['travelling_mib']} MiB of {LIMIT_MIB:.0f}"
    )
    print("device call (the run tool's arguments):")
    print(json.dumps({k: plan[k] for k in ("command", "carry", "timeout_s")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
