from django.core.management.base import BaseCommand

from open12348.accounts.services import roles_sync


class Command(BaseCommand):
    help = "按 roles.py 同步角色：每个角色一个权限组，权限与代码完全一致（可重复运行）。"

    def handle(self, *args, **options):
        synced, removed = roles_sync()
        self.stdout.write(f"已同步 {synced} 个角色" + (f"，删除 {removed}" if removed else "") + "。")
