PREFERENCE_COOKIE = "ui"
CHOICES = {"large", "contrast"}


def display_preferences(cookie_value: str) -> set[str]:
    return {item for item in (cookie_value or "").split(".") if item in CHOICES}


class DisplayPreferencesMiddleware:
    """Large type (适老版) and high contrast, chosen by the reader and kept in a cookie so
    they work without an account and without JavaScript."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.display_prefs = display_preferences(request.COOKIES.get(PREFERENCE_COOKIE, ""))
        return self.get_response(request)
