"""gunicorn settings for benchmarks: the product's config/gunicorn.conf.py, then what a
benchmark needs: BENCH_PORT, BENCH_WORKERS (default 1) and no access log (a log line per
request would be measured too)."""

import os
import runpy
from pathlib import Path

_product = runpy.run_path(str(Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"))
globals().update({name: value for name, value in _product.items() if not name.startswith("_") and name != "os"})

bind = f"127.0.0.1:{int(os.environ['BENCH_PORT'])}"
workers = int(os.environ.get("BENCH_WORKERS") or 1)
accesslog = None
loglevel = "warning"
