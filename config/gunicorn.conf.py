"""gunicorn settings for `make run` and production: `gunicorn -c config/gunicorn.conf.py`.

Sync workers (WSGI): under uvicorn with sync middleware the same Django app served 4.3x fewer
requests (PERFORMANCE.md). Database connections stay open between requests (CONN_MAX_AGE in
settings). It listens on the loopback only: a reverse proxy (TLS, buffering of slow clients)
stands in front of it in production.

环境变量 / environment: PORT (default 8000), WEB_CONCURRENCY (workers, default 2), LOG_LEVEL.
"""

import os
import time

# Log times in the project's time zone (settings.TIME_ZONE), in the master as in the workers.
os.environ.setdefault("TZ", "Asia/Shanghai")
time.tzset()

wsgi_app = "config.wsgi:application"

bind = f"127.0.0.1:{int(os.environ.get('PORT') or 8000)}"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
worker_class = "sync"

# A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = 30
graceful_timeout = 30
# Sync workers close each connection after the response; this only bounds idle sockets.
keepalive = 2

# No control socket: its default path ($HOME/.gunicorn/gunicorn.ctl) is shared by every
# gunicorn of the user, so two instances (e.g. `make run` and `make bench`) would collide.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = (os.environ.get("LOG_LEVEL") or "info").lower()
proc_name = "open12348"
