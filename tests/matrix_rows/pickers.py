"""The school pickers' search (members.pickers): every signed-in user may ask; what it answers
is the picker's scope for that user (tests/members/test_school_picker.py)."""

ROLES = ["anon", "city", "district", "principal", "member", "auditor", "admin"]

ROWS = [
    (
        "members:school-pick",
        None,
        "get",
        dict.fromkeys(ROLES, 200) | {"anon": 302},
        lambda world, which: {"key": "group-core"},
    ),
]
