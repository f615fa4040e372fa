"""Password rules of the 等保 profile and the rate-limited password-change form (issue 12)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from members.models import PasswordHistory
from members.passwords import CharacterClassValidator, PasswordHistoryValidator
from tests.conftest import PASSWORD


def _messages(password, user=None) -> str:
    try:
        with translation.override("zh-hans"):
            validate_password(password, user)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("alllowercaseletters", False),  # one class
        ("lowercase-and-symbols", False),  # two
        ("Lowercase-and-Upper", True),  # three
        ("Lower9case-and-Upper", True),  # four
        ("Abc1!", False),  # too short
    ],
)
def test_length_and_character_classes(password, ok, db):
    text = _messages(password)
    assert (text == "") is ok, text
    if not ok and len(password) >= 10:
        assert "密码须包含大写字母、小写字母、数字、符号四类中的至少 3 类" in text


def test_the_rules_follow_the_settings():
    with pytest.raises(ValidationError) as refused:
        CharacterClassValidator(4).validate("Abcdefghi1")
    assert "至少 4 类" in refused.value.messages[0]
    CharacterClassValidator(2).validate("abcdefghi1")


def test_no_reuse_of_the_last_n_passwords(world, settings):
    user = world.users["city"]
    validator = PasswordHistoryValidator(count=3)
    settings.AUTH_PASSWORD_VALIDATORS = [
        {"NAME": "members.passwords.PasswordHistoryValidator", "OPTIONS": {"count": 3}}
    ]
    from django.contrib.auth import password_validation

    password_validation.get_default_password_validators.cache_clear()
    try:
        used = ["First-pass-01", "Second-pass-02", "Third-pass-03", "Fourth-pass-04"]
        for password in used:
            user.set_password(password)
            user.save()
        # the hashes only, the last three kept
        kept = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True))
        assert len(kept) == 3 and not any(p in h for h in kept for p in used)
        with pytest.raises(ValidationError) as refused:
            validator.validate("Fourth-pass-04", user)  # the current one
        assert "新密码不能与最近 3 次使用过的密码相同" in refused.value.messages[0]
        for password in used[1:3]:
            with pytest.raises(ValidationError):
                validator.validate(password, user)
        validator.validate("First-pass-01", user)  # four changes ago: allowed again
        validator.validate("Brand-new-pass-05", user)
    finally:
        password_validation.get_default_password_validators.cache_clear()


def test_the_change_form_records_the_history_and_refuses_reuse(client, world):
    user = world.users["city"]
    client.force_login(user)
    url = reverse("password_change")
    new = "Another-Pass-2026"
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert PasswordHistory.objects.filter(user=user).count() >= 1
    response = client.post(
        url, {"old_password": new, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    # the old test password is both too simple now and, more to the point, reused
    assert "新密码不能与最近" in response.content.decode()


def test_the_change_form_is_rate_limited(client, world, settings):
    user = world.users["city"]
    client.force_login(user)
    url = reverse("password_change")
    new = "Another-Pass-2026"
    for _ in range(settings.PASSWORD_CHANGE_FAILURE_LIMIT):
        response = client.post(
            url, {"old_password": "wrong", "new_password1": new, "new_password2": new}
        )
        assert "旧密码不正确" in response.content.decode() or response.status_code == 200
    # now even the right old password is not checked
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    assert "旧密码输入错误次数过多，请 15 分钟后再试" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # another person is not affected
    other = world.users["principal"]
    client.force_login(other)
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
