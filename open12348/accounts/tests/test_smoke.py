def test_named_cast_builds(clerk_a, outsider_b, audit_admin, citizen):
    assert clerk_a.has_perm("accounts.view_staff_console")
    assert not citizen.has_perm("accounts.view_staff_console")
    assert audit_admin.get_all_permissions() == {"audit.view_event", "audit.verify_event"}
