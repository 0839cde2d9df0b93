def test_personas_have_their_roles(personas):
    assert personas["caseworker"].roles == {"caseworker"}
    assert personas["supervisor"].roles == {"supervisor"}
    assert personas["caseworker"].team.supervisor == personas["supervisor"]
