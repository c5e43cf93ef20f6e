from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from open12348.accounts.models import User
from open12348.accounts.services import api_token_issue
from open12348.orgs.selectors import org_by_code


class Command(BaseCommand):
    help = gettext("为一个账户签发接口令牌（Authorization: Bearer …），令牌只显示这一次。")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scope", default="read", choices=["read", "write"])
        parser.add_argument("--org", default="", help=gettext("限定的区划代码（默认为该账户的服务区域）"))
        parser.add_argument("--name", default="", help=gettext("令牌用途"))
        parser.add_argument("--days", type=int, default=0, help=gettext("有效天数（0 为不过期）"))

    def handle(self, *args, username, scope, org, name, days, **options):
        user = User.objects.filter(username__iexact=User.objects.normalize_username(username)).first()
        if user is None:
            raise CommandError(gettext("账户 {username} 不存在。").format(username=username))
        node = None
        if org:
            node = org_by_code(org)
            if node is None:
                raise CommandError(gettext("区划代码 {org} 不存在。").format(org=org))
        try:
            _, secret = api_token_issue(
                actor=None,
                user=user,
                scope=scope,
                org=node,
                name=name,
                expires_in=timedelta(days=days) if days else None,
            )
        except ValidationError as error:
            raise CommandError("；".join(m for msgs in error.message_dict.values() for m in msgs)) from None
        self.stdout.write(secret)
