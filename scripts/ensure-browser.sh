#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright; Playwright's
# own browser download never works here. Installs Chromium and a CJK font with apt-get when
# either is missing and we are root; otherwise says that browser tests will be skipped.
# 浏览器测试使用 Debian 的 Chromium：缺失且为 root 时自动安装（含中文字体），否则提示浏览器测试将被跳过。
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Without a CJK font, Chinese pages render as empty boxes in screenshots.
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "==> 缺少 ${missing[*]}：浏览器测试将被跳过 / ${missing[*]} missing: browser tests will be skipped." >&2
    echo "    安装 / install: sudo apt-get install chromium fonts-noto-cjk" >&2
    exit 0
fi
echo "==> 安装 Chromium 与中文字体 / installing chromium and fonts-noto-cjk (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=600 -q)
apt-get "${apt_opts[@]}" update
apt-get "${apt_opts[@]}" install -y chromium fonts-noto-cjk
