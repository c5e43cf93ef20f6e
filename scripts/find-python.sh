#!/usr/bin/env bash
# Prints the absolute path of a Python interpreter of the version in .python-version (3.13):
# `python3.13` on PATH first, then pyenv's ~/.pyenv/versions/3.13*/bin/python, else fails.
# 打印符合 .python-version（3.13）的 Python 解释器路径；找不到时给出明确提示并失败。
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(tr -d '[:space:]' < .python-version 2>/dev/null || true)
want=${want:-3.13}
major=${want%%.*}
minor=${want#*.}
minor=${minor%%.*}

probe() {
    # Prints the real interpreter path when "$1" runs and is exactly $major.$minor.
    "$1" -c "import sys; assert sys.version_info[:2] == ($major, $minor); print(sys.executable)" 2>/dev/null
}

candidates=()
command -v "python$major.$minor" >/dev/null 2>&1 && candidates+=("$(command -v "python$major.$minor")")
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
while IFS= read -r dir; do
    [ -n "$dir" ] && candidates+=("$dir/bin/python")
done < <(ls -d "$pyenv_root/versions/$major.$minor"* 2>/dev/null | sort -rV)
command -v python3 >/dev/null 2>&1 && candidates+=("$(command -v python3)")

for candidate in "${candidates[@]}"; do
    [ -x "$candidate" ] || continue
    if path=$(probe "$candidate") && [ -n "$path" ]; then
        echo "$path"
        exit 0
    fi
done

cat >&2 <<MSG
找不到 Python $major.$minor。请安装 Python $major.$minor（例如 pyenv install $major.$minor），并确保
python$major.$minor 在 PATH 中或位于 $pyenv_root/versions/$major.$minor*/bin/python。
Cannot find Python $major.$minor: install it (e.g. \`pyenv install $major.$minor\`) and put python$major.$minor
on PATH, or under $pyenv_root/versions/$major.$minor*/bin/python.
MSG
exit 1
