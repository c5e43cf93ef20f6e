from django.db.models import QuerySet

from open12348.accounts.models import User
from open12348.orgs.selectors import in_area


def staff_list(*, viewer) -> QuerySet[User]:
    """Staff accounts in the viewer's subtree."""
    return in_area(User.objects.select_related("staff_profile__org"), viewer, via="staff_profile__org")


def staff_visible_to(viewer, user: User) -> bool:
    return staff_list(viewer=viewer).filter(pk=user.pk).exists()


def has_confirmed_otp_device(user: User) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
