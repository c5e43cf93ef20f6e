from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from open12348.accounts.services import roles_sync

    roles_sync()


class AccountsConfig(AppConfig):
    name = "open12348.accounts"
    verbose_name = _("账户与角色")

    def ready(self):
        from open12348.accounts import checks, receivers  # noqa: F401  (registers checks and auth-event receivers)

        # Roles follow the code after every migrate (and every test-database flush).
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="open12348.sync_roles")
