"""manage.py importlaws [PATH] [--no-local] [--if-present] [--prune]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from open12348.laws import importer


class Command(BaseCommand):
    help = gettext_lazy("导入法律法规库（LawRefBook 数据集），增量更新并建立全文检索索引")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help=_("数据目录或 lawrefbook_laws 目录（默认 OPEN12348_DATA_DIR）"))
        parser.add_argument(
            "--local", dest="local", action="store_true", default=True, help=_("同时导入地方性法规（默认）")
        )
        parser.add_argument("--no-local", dest="local", action="store_false", help=_("只导入全国性法律法规"))
        parser.add_argument("--if-present", action="store_true", help=_("数据目录不存在时静默跳过"))
        parser.add_argument("--prune", action="store_true", help=_("删除数据集中已不存在的文件"))

    def handle(self, *args, path=None, local=True, if_present=False, prune=False, verbosity=1, **options):
        log = self.stdout.write if verbosity > 1 else (lambda message: None)
        try:
            stats = importer.import_library(path, local=local, prune=prune, log=log)
        except importer.DataNotFound as exc:
            if if_present:
                if verbosity > 1:
                    self.stdout.write(_("法律法规数据不存在，跳过：{path}").format(path=exc))
                return
            raise CommandError(_("找不到法律法规数据（laws.jsonl.gz）：{path}").format(path=exc)) from exc
        if verbosity:
            message = _(
                "法律法规：共 {seen} 件，新增 {created}，更新 {updated}，未变 {unchanged}，删除 {pruned}；"
                "条文 {articles}，索引文档 {documents}；词典 {words} 词；用时 {seconds} 秒"
            ).format(
                seen=stats.laws_seen,
                created=stats.created,
                updated=stats.updated,
                unchanged=stats.unchanged,
                pruned=stats.pruned,
                articles=stats.articles,
                documents=stats.documents,
                words=stats.dictionary_words,
                seconds=stats.seconds,
            )
            if stats.dictionary_changed:
                message += _("（词典已更新，重新分词 {count} 篇）").format(count=stats.reindexed)
            self.stdout.write(message)
