"""CIFAR-10 ``--protocol cvpr2015`` with other numbers of OLS atoms per class, on the run's cached features.

A diagnostic of the gap to the paper: the paper's D = 200 atoms per class (x 2 rounds) was set for 5,000 training
images per class, the shared subset has 1,000. Runs the protocol's own per-split code
(:func:`skscat.baselines._cvpr2015.fit_split`: log, standardisation on the training rows, OLS, one-vs-all SVM) on the
official split of the subset, with only D changed, for each representation. Needs the feature cache of a finished
cvpr2015 CIFAR-10 run of each representation (it never scatters). Results go to ``--output`` as JSON
(:func:`skscat.utils.write_record`, after each run), keyed by ``<representation>/D<atoms>``, each with the
fingerprint of what it depends on; a rerun reuses a stored result whose fingerprint matches. ``--transductive``
standardises on the training and test rows together, as ScatNetLight does (keys ``.../transductive``).

    python benchmarks/cvpr2015_atoms.py --cache-dir .skscat-cache --atoms 20 50 200
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import read_results

from skscat.baselines import _cvpr2015 as cvpr
from skscat.utils import fingerprint, write_record


def atoms_fingerprint(plan, n_atoms, transductive=False):
    """What one result depends on: the cached features (their folder names them) and the pipeline's sizes."""
    description = {"features": plan.store.folder.name, "n_atoms_per_class": n_atoms,
                   "n_rounds": plan.setting.n_rounds, "C": cvpr.C}
    return fingerprint({**description, "transductive": True} if transductive else description)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--cache-dir", default=".skscat-cache")
    parser.add_argument("--representation", nargs="+", default=["roto-translation", "translation"])
    parser.add_argument("--atoms", type=int, nargs="+", default=[20, 50, 200])
    parser.add_argument("--transductive", action="store_true",
                        help="standardise on the training and test rows together, as ScatNetLight does")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--output", default="benchmarks/results/cvpr2015/cifar10_atoms.json")
    args = parser.parse_args(argv)
    results = read_results(args.output, {})
    for kind in args.representation:
        (plan,) = cvpr.plan_paper_runs(["cifar10"], [kind], args.data_dir, cache_dir=args.cache_dir,
                                       device=args.device)
        if plan.store.missing():
            raise SystemExit(f"the feature cache {plan.store.folder} is incomplete: run skscat-baselines first.")
        _, _, train, test = plan.runs[0]
        for n_atoms in args.atoms:
            key = f"{kind}/D{n_atoms}" + ("/transductive" if args.transductive else "")
            stamp = atoms_fingerprint(plan, n_atoms, args.transductive)
            if results.get(key, {}).get("fingerprint") == stamp:
                print(f"{key}: stored result reused", flush=True)
                continue
            scores = cvpr.fit_split(plan.store, plan.source.target, train, test, n_atoms_per_class=n_atoms,
                                    n_rounds=plan.setting.n_rounds, device=args.device, verbose=False,
                                    transductive=args.transductive)
            results[key] = {**scores, "n_train": len(train), "n_test": len(test), "fingerprint": stamp}
            print(key, json.dumps(results[key]), flush=True)
            write_record(args.output, results)


if __name__ == "__main__":
    main()
