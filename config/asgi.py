"""ASGI entry points.

`application`: the whole site under an ASGI server (not how it is served: gunicorn's sync
workers run config.wsgi, see config/gunicorn.conf.py).
`push_application`: the push server of hall displays (`make push`, config/gunicorn_push.conf.py):
only the /push/ URLs of open12348.queuing.push, held open by gunicorn's asyncio worker."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from open12348.queuing.push import PushASGIHandler  # noqa: E402 (needs the app registry)

push_application = PushASGIHandler()
