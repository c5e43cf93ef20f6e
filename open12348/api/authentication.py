from rest_framework.authentication import SessionAuthentication


class BearerTokenAuthentication(SessionAuthentication):
    pass


class CsrfSessionAuthentication(SessionAuthentication):
    pass
