#!/usr/bin/env bash
# Makes sure .venv exists with the right Python and the requirements installed.
#   scripts/ensure-venv.sh run   → requirements.txt
#   scripts/ensure-venv.sh dev   → requirements-dev.txt (tests and lint, includes requirements.txt)
# pip runs only when the requirement files changed: their hash is kept in a stamp file in .venv.
# 确保 .venv 存在且已安装依赖；依赖文件未变化时不重复安装。
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${1:-run}
case "$kind" in
    run) requirements=(requirements.txt) ;;
    dev) requirements=(requirements.txt requirements-dev.txt) ;;
    *) echo "usage: $0 run|dev" >&2; exit 2 ;;
esac
venv=.venv
want=$(tr -d '[:space:]' < .python-version 2>/dev/null || true)
want=${want:-3.13}

if ! "$venv/bin/python" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$want'" 2>/dev/null; then
    python=$(scripts/find-python.sh)
    echo "==> 创建虚拟环境 / creating $venv with $python"
    "$python" -m venv --clear "$venv"
fi

digest() { cat "$@" | sha256sum | cut -d' ' -f1; }
stamp="$venv/.requirements-$kind.sha256"
digest=$(digest "${requirements[@]}")
# The dev requirements include the runtime ones: a current dev install satisfies `run` too.
if [ "$kind" = run ] && [ "$(cat "$venv/.requirements-dev.sha256" 2>/dev/null || true)" = "$(digest requirements.txt requirements-dev.txt)" ]; then
    exit 0
fi
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$digest" ]; then
    echo "==> 安装依赖 / installing ${requirements[-1]} into $venv"
    PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$venv/bin/python" -m pip install --quiet --requirement "${requirements[-1]}"
    echo "$digest" > "$stamp"
fi
