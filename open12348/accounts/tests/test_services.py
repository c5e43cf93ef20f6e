import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from open12348.accounts import roles, services
from open12348.accounts.models import PhoneVerification, RoleAssignment, User
from open12348.audit.models import Event
from open12348.core.sms import MemorySmsBackend

CASE_APPS = {"workorders", "hotline", "queuing", "consultations", "applications", "archives", "reports"}
# Configuration that lives in a case app but holds no case data.
CONFIGURATION = {"post", "routingrule"}


def is_case_permission(name: str) -> bool:
    app, codename = name.split(".")
    return app in CASE_APPS and codename.split("_", 1)[-1] not in CONFIGURATION


def test_no_account_can_hold_two_of_the_three_administrator_roles(audit_admin, security_admin):
    with pytest.raises(ValidationError, match="三员分立"):
        services.role_grant(actor=security_admin, user=audit_admin, role="system_admin")
    assert audit_admin.role_assignments.count() == 1


def test_the_database_itself_refuses_a_second_three_administrator_role(audit_admin):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=audit_admin, role="security_admin")


def test_the_audit_administrator_reads_the_audit_trail_and_nothing_else(audit_admin):
    assert audit_admin.get_all_permissions() == {"audit.view_event", "audit.verify_event"}


def test_the_security_administrator_manages_roles_but_reads_no_personal_or_audit_data(security_admin):
    perms = security_admin.get_all_permissions()
    assert "accounts.assign_role" in perms
    assert "accounts.view_full_pii" not in perms
    assert not any(p.startswith("audit.") for p in perms)
    assert not any(is_case_permission(p) for p in perms)


def test_the_system_administrator_can_neither_grant_roles_nor_read_the_audit_trail(system_admin, clerk_a):
    perms = system_admin.get_all_permissions()
    assert "accounts.assign_role" not in perms and "accounts.view_full_pii" not in perms
    assert not any(p.startswith("audit.") for p in perms)
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=system_admin, user=clerk_a, role="lawyer")


def test_no_three_administrator_role_includes_case_data():
    for code in roles.THREE_ADMIN_CODES:
        assert not any(is_case_permission(p) for p in roles.get(code).permissions), code


def test_nobody_grants_roles_to_themselves(security_admin):
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=security_admin, user=security_admin, role="lawyer")


def test_granting_a_role_is_audited_and_takes_effect_at_once(security_admin, clerk_a):
    assert not clerk_a.has_perm("accounts.view_full_pii")
    services.role_grant(actor=security_admin, user=clerk_a, role="legal_aid_officer")
    assert clerk_a.has_perm("accounts.view_full_pii")
    event = Event.objects.get(verb="role.granted", target_id=str(clerk_a.pk), actor=security_admin)
    assert event.payload == {"role": "legal_aid_officer"}
    services.role_revoke(actor=security_admin, user=clerk_a, role="legal_aid_officer")
    assert not clerk_a.has_perm("accounts.view_full_pii")
    assert Event.objects.filter(verb="role.revoked", target_id=str(clerk_a.pk)).exists()


def test_granting_a_three_administrator_role_forces_a_new_password(security_admin, city):
    user, _ = services.staff_create(
        actor=security_admin,
        username="new_auditor",
        display_name="审计员",
        org=city,
        role_codes=["audit_admin"],
        password="Xq7!vB2#pLm9-Tr4",
    )
    user.refresh_from_db()
    assert user.must_change_password and user.is_staff


def test_staff_created_without_a_password_get_a_one_time_password(security_admin, town_a):
    user, one_time = services.staff_create(
        actor=security_admin, username="Clerk_New", display_name="新同事", org=town_a, role_codes=["window_clerk"]
    )
    user.refresh_from_db()
    assert one_time and user.check_password(one_time) and user.must_change_password
    assert user.username == "clerk_new"


def test_user_names_are_unique_whatever_the_width_or_case(security_admin, town_a, clerk_a):
    with pytest.raises(ValidationError):
        services.staff_create(
            actor=security_admin, username="ＣＬＥＲＫ_Ａ", display_name="x", org=town_a, role_codes=["window_clerk"]
        )


@pytest.fixture
def registered_person(citizen):
    citizen.resident_id = "32058519800101123X"
    citizen.save()
    return citizen


def test_revealing_a_resident_id_needs_the_permission(clerk_a, registered_person, town_a):
    with pytest.raises(PermissionDenied):
        services.personal_data_reveal(
            actor=clerk_a, instance=registered_person, field="resident_id", reason="核实身份", org=town_a
        )


def test_revealing_needs_a_reason_and_is_audited(director_a, registered_person, town_a):
    with pytest.raises(ValidationError):
        services.personal_data_reveal(
            actor=director_a, instance=registered_person, field="resident_id", reason=" ", org=town_a
        )
    value = services.personal_data_reveal(
        actor=director_a, instance=registered_person, field="resident_id", reason="法律援助审查核实身份", org=town_a
    )
    assert value == "32058519800101123X"
    event = Event.objects.get(verb="pii.revealed")
    assert event.actor == director_a and event.payload["reason"] == "法律援助审查核实身份"
    assert "32058519800101123X" not in str(event.payload)


def test_revealing_outside_ones_area_is_refused(outsider_b, registered_person, town_a):
    with pytest.raises(PermissionDenied):
        services.personal_data_reveal(
            actor=outsider_b, instance=registered_person, field="resident_id", reason="核实", org=town_a
        )


def test_nothing_is_revealed_when_the_audit_trail_cannot_be_written(director_a, registered_person, town_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        services.personal_data_reveal(
            actor=director_a, instance=registered_person, field="resident_id", reason="核实", org=town_a
        )


@pytest.fixture
def outbox():
    MemorySmsBackend.outbox.clear()
    return MemorySmsBackend.outbox


def sent_code(outbox):
    return outbox[-1][1].split("验证码是 ")[1][:6]


def test_a_citizen_registers_with_phone_code_and_password(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_code_send(phone="13912345678")
    user = services.citizen_register(phone="139 1234 5678", code=sent_code(outbox), password="Xq7!vB2#pLm9")
    assert user.role_codes == {"citizen"} and user.phone == "13912345678"
    assert Event.objects.filter(verb="account.registered", actor=user).exists()


def test_a_second_code_within_a_minute_is_refused(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_code_send(phone="13912345678")
    with pytest.raises(ValidationError, match="频繁"):
        services.sms_code_send(phone="13912345678")
    assert len(outbox) == 1


def test_wrong_codes_are_counted_and_exhaust_the_code(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_code_send(phone="13912345678")
    good = sent_code(outbox)
    for _ in range(services.SMS_CODE_MAX_ATTEMPTS):
        with pytest.raises(ValidationError, match="验证码不正确"):
            services.citizen_register(
                phone="13912345678", code="000000" if good != "000000" else "111111", password="Xq7!vB2#pLm9"
            )
    assert PhoneVerification.objects.get().attempts == services.SMS_CODE_MAX_ATTEMPTS
    with pytest.raises(ValidationError, match="失效"):
        services.citizen_register(phone="13912345678", code=good, password="Xq7!vB2#pLm9")
    assert not User.objects.exists()


def test_a_weak_password_registers_nothing_and_keeps_the_code_usable(db, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_code_send(phone="13912345678")
    with pytest.raises(ValidationError) as error:
        services.citizen_register(phone="13912345678", code=sent_code(outbox), password="Admin@123")
    assert "password" in error.value.message_dict
    assert not User.objects.exists()
    services.citizen_register(phone="13912345678", code=sent_code(outbox), password="Xq7!vB2#pLm9")


def test_a_phone_number_registers_only_once(citizen, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_code_send(phone=citizen.phone)
    with pytest.raises(ValidationError, match="已注册"):
        services.citizen_register(phone=citizen.phone, code=sent_code(outbox), password="Xq7!vB2#pLm9")


def test_a_citizen_profile_rejects_a_bad_resident_id_and_keeps_the_old_data(citizen):
    with pytest.raises(ValidationError):
        services.citizen_profile_update(actor=citizen, display_name="李四", resident_id="320585198001011231")
    citizen.refresh_from_db()
    assert citizen.display_name == "张三" and citizen.resident_id == ""


def test_api_tokens_stay_inside_the_users_area(director_a, town_a, area_b):
    token, secret = services.api_token_issue(actor=None, user=director_a, org=town_a)
    assert token.org == town_a and secret.startswith("o12348_")
    assert token.key_hash != secret and secret not in str(token.__dict__)
    with pytest.raises(ValidationError):
        services.api_token_issue(actor=None, user=director_a, org=area_b)


def test_permissions_are_the_roles_of_roles_py_read_with_one_query(clerk_a, django_assert_num_queries):
    fresh = type(clerk_a).objects.get(pk=clerk_a.pk)
    with django_assert_num_queries(1):  # the account's role codes; permissions come from roles.py
        assert fresh.get_all_permissions() == set(roles.permissions_of({"window_clerk"}))
        assert fresh.has_perm("workorders.intake_workorder")
        assert not fresh.has_perm("workorders.assign_workorder")


def test_an_inactive_account_has_no_permissions(clerk_a):
    clerk_a.is_active = False
    assert clerk_a.get_all_permissions() == set()
    assert not clerk_a.has_perm("workorders.intake_workorder")
