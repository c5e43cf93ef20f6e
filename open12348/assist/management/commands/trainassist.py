"""manage.py trainassist [--data PATH] [--include-corrections] [--if-present]

Trains the topic classifier and the statute retriever and writes a new versioned artifact
under ASSIST_DIR (var/assist/<version>/ + the `current` pointer). The statute library comes
from the database when imported (importlaws), else straight from the data files.
--if-present (what `make run` uses): skip quietly when there is no data, or when the current
artifact was trained from the same data, library and method version."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from open12348.assist import corpus, training


class Command(BaseCommand):
    help = gettext_lazy("训练问题分类与法条检索模型，生成新版本的模型文件（ASSIST_DIR）。")

    def add_arguments(self, parser):
        parser.add_argument("--data", default=None, help=gettext_lazy("数据目录（默认 OPEN12348_DATA_DIR）"))
        parser.add_argument(
            "--include-corrections", action="store_true", help=gettext_lazy("把工作人员的分类更正也作为训练数据")
        )
        parser.add_argument(
            "--if-present", action="store_true", help=gettext_lazy("数据不存在或模型已是最新时安静地跳过")
        )

    def handle(self, *args, data=None, include_corrections=False, if_present=False, **options):
        if not corpus.has_training_data(data):
            if if_present:
                self.stdout.write(f"trainassist: no training data under {corpus.data_dir(data)}; skipped")
                return
            raise CommandError(
                _("训练数据不存在：{path}（需要 lawbench_topic/ 与 stard/）").format(path=corpus.data_dir(data))
            )
        if not corpus.db_has_statutes() and corpus.library_folder(data) is None:
            if if_present:
                self.stdout.write("trainassist: no statute library (database or files); skipped")
                return
            raise CommandError(
                _("法条库不存在：请先运行 importlaws，或提供 {path}/lawrefbook_laws").format(path=corpus.data_dir(data))
            )
        if if_present:
            from open12348.assist import artifacts

            meta = artifacts.current_meta() or {}
            if meta.get("fingerprint") == training.fingerprint(data, include_corrections=include_corrections):
                self.stdout.write(f"trainassist: artifact {meta.get('version')} is up to date; skipped")
                return
        version = training.train(data, include_corrections=include_corrections, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"trainassist: artifact {version.name}"))
