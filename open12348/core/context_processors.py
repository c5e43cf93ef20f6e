from django.conf import settings
from django.utils.translation import gettext as _

HOTLINE = "12348"


def platform(request):
    prefs = getattr(request, "display_prefs", set())
    return {
        "HOTLINE": HOTLINE,
        "PLATFORM_NAME": _("12348公共法律服务平台"),
        "VERSION": settings.VERSION,
        "ui_large": "large" in prefs,
        "ui_contrast": "contrast" in prefs,
    }
