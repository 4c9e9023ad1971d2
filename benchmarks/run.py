"""Run every benchmark: each ``benchmarks/bench_*.py`` module that defines ``main()``.

To add a benchmark, drop a ``bench_<name>.py`` with a ``main()`` (or ``main(argv)``) here.

``python benchmarks/run.py`` runs them all in name order; ``python benchmarks/run.py jsonstat``
runs those whose name contains one of the given words. Benchmarks print their own figures and
ratios; nothing here asserts on timings.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover() -> list[Path]:
    """The benchmark modules beside this file, in name order."""
    return sorted(HERE.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks one after another (never in parallel: the machine is shared)."""
    words = sys.argv[1:] if argv is None else argv
    sys.path.insert(0, str(HERE))
    failed = []
    for path in discover():
        name = path.stem
        if words and not any(word in name for word in words):
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        if not callable(getattr(module, "main", None)):
            continue
        print(f"== {name} ==", flush=True)
        start = time.perf_counter()
        try:
            # main(argv) gets no arguments of ours; main() is called bare.
            if inspect.signature(module.main).parameters:
                module.main([])
            else:
                module.main()
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            failed.append(name)
            print(f"{name} failed: {exc!r}", flush=True)
        print(f"({name}: {time.perf_counter() - start:.1f} s)\n", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
