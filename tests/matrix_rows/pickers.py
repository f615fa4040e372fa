"""The pickers' searches (members.pickers): every signed-in user may ask; a school picker answers
the picker's scope for that user (tests/members/test_school_picker.py), a filter's long list
(districts, authorities) the names of public bodies (tests/members/test_choice_picker.py)."""

ROLES = ["anon", "city", "district", "principal", "member", "auditor", "admin"]

ROWS = [
    (
        "members:school-pick",
        None,
        "get",
        dict.fromkeys(ROLES, 200) | {"anon": 302},
        lambda world, which: {"key": "group-core"},
    ),
    (
        "members:choice-pick",
        None,
        "get",
        dict.fromkeys(ROLES, 200) | {"anon": 302},
        lambda world, which: {"key": "district"},
    ),
]

WRONG_STATE: dict = {}
POST_WITHOUT_STATE: set[str] = set()
READ_ONLY = {"members:school-pick", "members:choice-pick"}
