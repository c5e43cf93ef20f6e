from open12348.accounts import services
from open12348.accounts.models import RoleAssignment, User

TEST_PASSWORD = "Xq7!vB2#pLm9-Tr4"


def make_staff(username: str, org, *role_codes: str, site=None) -> User:
    """A staff member in `org` holding `role_codes`, created through the real service."""
    user, _ = services.staff_create(
        actor=None,
        username=username,
        display_name=username,
        org=org,
        role_codes=list(role_codes),
        password=TEST_PASSWORD,
        site=site,
    )
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.refresh_from_db()
    return user


def make_citizen(username: str = "citizen", phone: str = "13800138000") -> User:
    user = User(username=username, phone=phone, display_name="张三")
    user.set_password(TEST_PASSWORD)
    user.save()
    RoleAssignment.objects.create(user=user, role="citizen")
    return user


def sign_in(client, username: str, password: str = TEST_PASSWORD) -> bool:
    """Client.login through the real backends; django-axes wants the request passed along."""
    from django.test import RequestFactory

    return client.login(request=RequestFactory().get("/"), username=username, password=password)
