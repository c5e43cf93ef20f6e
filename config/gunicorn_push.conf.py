"""gunicorn settings of the push server (Server-Sent Events of hall displays):
`gunicorn -c config/gunicorn_push.conf.py`, started by `make run` beside the main server and
alone by `make push`.

One process with gunicorn's native asyncio (ASGI) worker holds every display's connection;
an idle connection costs a timer and a few kB, and one pump per process reads the event table
every 200 ms (open12348/queuing/push.py). In production the reverse proxy sends /push/ here
(with buffering off) and PUSH_URL="" tells the pages to connect to their own origin.

环境变量 / environment: PUSH_PORT (default PORT + 1, i.e. 8001), LOG_LEVEL.
"""

import os
import runpy
import sys
from pathlib import Path

_config = Path(__file__).resolve().parent
sys.path.insert(0, str(_config.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The port the pages are told (settings.PUSH_PORT, which also reads .env).
from django.conf import settings as _settings  # noqa: E402

_port = _settings.PUSH_PORT

# The main server's settings (time zone, logs, no control socket), then what differs.
_main = runpy.run_path(str(_config / "gunicorn.conf.py"))
globals().update({name: value for name, value in _main.items() if not name.startswith("_") and name != "os"})

wsgi_app = "config.asgi:push_application"
worker_class = "asgi"
workers = 1
bind = f"127.0.0.1:{_port}"
worker_connections = 10_000
# Django's ASGI handler speaks HTTP only.
asgi_lifespan = "off"
# Streams never end by themselves: on a restart, close them quickly (the browsers reconnect).
graceful_timeout = 3
proc_name = "open12348-push"
