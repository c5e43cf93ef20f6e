#!/usr/bin/env bash
# Pre-generates the hall's voice clips (static/queuing/voice/*.wav) with espeak-ng, offline.
# The display page speaks "请 A012 号到 3 号窗口办理" by concatenating these clips when the
# browser has no local Chinese speech-synthesis voice. The clips are committed: nothing is
# generated at run time. Run again only to change the voice (needs root for apt-get once).
# 用 espeak-ng 离线生成大厅叫号语音片段（数字、字母、短语），生成后随代码提交，运行时不再生成。
#
# Debian's espeak-ng ships the small Mandarin dictionary, which misses characters such as
# 请/号/办: the phrases are therefore given in tone-numbered pinyin to the pinyin voice.
set -euo pipefail

cd "$(dirname "$0")/.."
out=static/queuing/voice
if ! command -v espeak-ng >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "espeak-ng missing: sudo apt-get install espeak-ng" >&2
        exit 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q install -y espeak-ng
fi
mkdir -p "$out"

speed=150  # words per minute: slower than the default 175, for a hall with echo
pinyin() { espeak-ng -v cmn-latn-pinyin -s "$speed" -w "$out/$1.wav" "$2"; }
letter() { espeak-ng -v cmn -s "$speed" -w "$out/$1.wav" "$1"; }

digits=(ling2 yi1 er4 san1 si4 wu3 liu4 qi1 ba1 jiu3)
for d in "${!digits[@]}"; do pinyin "$d" "${digits[$d]}"; done
for l in {A..Z}; do letter "$l"; done
pinyin qing "qing3"
pinyin hao "hao4"
pinyin dao "dao4"
pinyin shi "shi2"
pinyin chuangkou "hao4 chuang1 kou3 ban4 li3"

# The manifest the page reads: which clip says what.
{
    echo '{'
    echo '  "format": "wav",'
    echo '  "phrases": {"请": "qing", "号": "hao", "到": "dao", "十": "shi", "号窗口办理": "chuangkou"},'
    printf '  "digits": ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],\n'
    printf '  "letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"\n'
    echo '}'
} >"$out/manifest.json"
echo "==> $(ls "$out"/*.wav | wc -l) clips in $out ($(du -sh "$out" | cut -f1))"
