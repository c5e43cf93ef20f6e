from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError
from django.utils.translation import gettext as _

FORBIDDEN_USERNAMES = ("admin", "root", "test", "sa", "guest", "administrator")


@register(Tags.security, deploy=True)
def no_default_or_superuser_accounts(app_configs, **kwargs):
    """C01/C13: no account with a default name, no all-powerful superuser in production."""
    from open12348.accounts.models import User

    try:
        default = list(
            User.objects.filter(is_active=True, username__in=FORBIDDEN_USERNAMES).values_list("username", flat=True)
        )
        superusers = list(User.objects.filter(is_active=True, is_superuser=True).values_list("username", flat=True))
    except DatabaseError:
        return []
    errors = []
    if default:
        errors.append(
            Error(_("存在默认名称的启用账户：{default}").format(default=", ".join(default)), id="open12348.E001")
        )
    if superusers and not settings.DEBUG:
        errors.append(
            Error(
                _("生产环境不允许超级用户（三员分立）：{superusers}").format(superusers=", ".join(superusers)),
                id="open12348.E002",
            )
        )
    return errors
