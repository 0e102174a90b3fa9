"""Run every benchmark script in bench/ (``make bench``); each prints its own table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        if script.name == "bench_api.py":
            continue  # the HTTP load benchmark runs with `make bench-api`
        print(f"\n== {script.name}", flush=True)
        rc = subprocess.run([sys.executable, str(script)], check=False).returncode
        if rc != 0:
            failed.append(script.name)
    subprocess.run([sys.executable, str(HERE / "collect.py")], check=False)
    if failed:
        print(f"failed: {failed}")
        sys.exit(1)
