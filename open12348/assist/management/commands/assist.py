"""manage.py assist classify|statutes --input IN.jsonl --output OUT.jsonl

The evaluation commands of issue 6 item 7 (keep the interface stable):
  classify  input lines {"id", "text"}   → {"id", "label", "confidence"}
  statutes  input lines {"qid", "query"} → {"qid", "results": ["<law title><第X条>", …]} best first
            (--k 100 --scope national [--province 上海] [--all-versions])
A line whose text is empty, or that is not JSON, still gets an output line (label 综合咨询
with confidence 0, or no results). Without an artifact the models are built first."""

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from open12348.assist import artifacts, corpus, text, training
from open12348.assist.labels import FALLBACK_LABEL
from open12348.assist.retrieval import MAX_K, SCOPES


class Command(BaseCommand):
    help = gettext_lazy("批量评测：问题分类（classify）或法条检索（statutes），JSONL 输入输出。")

    def add_arguments(self, parser):
        parser.add_argument("task", choices=["classify", "statutes"])
        parser.add_argument("--input", required=True, help=gettext_lazy("输入 JSONL（- 为标准输入）"))
        parser.add_argument("--output", required=True, help=gettext_lazy("输出 JSONL（- 为标准输出）"))
        parser.add_argument("--k", type=int, default=100, help=gettext_lazy("每个问题返回的法条数（1–200）"))
        parser.add_argument("--scope", default="national", choices=SCOPES)
        parser.add_argument("--province", default=None, help=gettext_lazy("national+province 时的省级地区，如：上海"))
        parser.add_argument("--all-versions", action="store_true", help=gettext_lazy("也返回已修改、已废止的版本"))
        parser.add_argument("--data", default=None, help=gettext_lazy("没有模型文件时用来训练的数据目录"))

    def handle(self, *args, task, input, output, k, scope, province, all_versions, data, **options):
        if not 1 <= k <= MAX_K:
            raise CommandError(_("--k 必须在 1 到 {max} 之间").format(max=MAX_K))
        rows = list(self._read(input))
        self._ensure_artifact(data)
        started = time.perf_counter()
        out = []
        if task == "classify":
            from open12348.assist.classifier import classify

            for row in rows:
                rid = row.get("id")
                try:
                    p = classify(row.get("text") or "")
                    out.append({"id": rid, "label": p.label, "confidence": round(p.confidence, 4)})
                except text.EmptyQuestion:
                    out.append({"id": rid, "label": FALLBACK_LABEL, "confidence": 0.0})
        else:
            from open12348.assist.retrieval import retrieve

            for row in rows:
                qid = row.get("qid")
                try:
                    hits = retrieve(
                        row.get("query") or "",
                        k=k,
                        scope=scope,
                        province=province,
                        valid_only=not all_versions,
                        rerank_with_llm=False,
                    )
                    results = [h.citation for h in hits]
                except text.EmptyQuestion:
                    results = []
                out.append({"qid": qid, "results": results})
        self._write(output, out)
        elapsed = time.perf_counter() - started
        self.stderr.write(f"assist {task}: {len(out)} lines in {elapsed:.1f} s")

    def _ensure_artifact(self, data):
        if artifacts.current_version() is not None:
            return
        if corpus.has_training_data(data) and (corpus.db_has_statutes() or corpus.library_folder(data)):
            self.stderr.write("assist: no trained artifact yet; training one (trainassist)…")
            training.train(data, log=self.stderr.write)
        # otherwise the models fall back (keyword classifier; retrieval from what exists)

    @staticmethod
    def _read(path):
        try:
            handle = sys.stdin if path == "-" else open(path, encoding="utf-8")
        except OSError as exc:
            raise CommandError(_("无法读取输入文件：{path}").format(path=path)) from exc
        try:
            for n, line in enumerate(handle, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    row = json.loads(line)
                except ValueError:
                    row = {}
                if not isinstance(row, dict):
                    row = {}
                row.setdefault("_line", n)
                yield row
        finally:
            if handle is not sys.stdin:
                handle.close()

    @staticmethod
    def _write(path, rows):
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        if path == "-":
            sys.stdout.write(lines)
        else:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(lines)
