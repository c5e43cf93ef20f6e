from open12348.accounts.selectors import staff_list


def test_a_town_clerk_sees_no_staff_of_another_town(clerk_a, clerk_a2, director_a):
    assert set(staff_list(viewer=clerk_a)) == {clerk_a}


def test_a_district_director_sees_the_staff_of_the_whole_district(clerk_a, clerk_a2, director_a, outsider_b):
    assert set(staff_list(viewer=director_a)) == {clerk_a, clerk_a2, director_a}


def test_an_outsider_sees_nothing_of_area_a(clerk_a, director_a, outsider_b):
    assert set(staff_list(viewer=outsider_b)) == {outsider_b}


def test_citizens_see_no_staff(citizen, clerk_a):
    assert not staff_list(viewer=citizen).exists()
