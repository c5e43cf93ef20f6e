#!/usr/bin/env bash
# `manage.py check --deploy` against a production-like environment (SECURITY.md C05, C51):
# DEBUG off, throwaway random keys, secure cookies, HTTPS redirect. Any warning fails.
# 以类生产环境配置运行部署检查：任何警告都视为失败。
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}

random_key() { "$python" -c "import secrets; print(secrets.token_urlsafe(${1:-50}))"; }
pii_key() { "$python" -c "import base64, secrets; print('k1:' + base64.b64encode(secrets.token_bytes(32)).decode())"; }

DEBUG=false \
SECRET_KEY=$(random_key 50) \
PII_KEYS=$(pii_key) \
PII_HASH_KEY=$(random_key 32) \
AUDIT_HMAC_KEY=$(random_key 32) \
SECURE_COOKIES=true \
SECURE_SSL_REDIRECT=true \
MALWARE_SCANNER=clamd \
DJANGO_SETTINGS_MODULE=config.settings \
    "$python" manage.py check --deploy --fail-level WARNING
