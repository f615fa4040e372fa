"""Password rules configurable to the 等保 profile (issue 12).

Set in AUTH_PASSWORD_VALIDATORS (settings.base) from the environment: the minimum length
(Django's MinimumLengthValidator), how many of the four character classes (upper case, lower case,
digits, symbols) a password must mix, and how many earlier passwords it may not repeat.
"""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = (
    ("upper", str.isupper),
    ("lower", str.islower),
    ("digit", str.isdigit),
    ("symbol", lambda ch: not ch.isalnum() and not ch.isspace()),
)


def character_classes(password: str) -> set[str]:
    """Which of the four classes a password uses (letters without case, e.g. Chinese, count as
    none of upper or lower; spaces count as nothing)."""
    return {name for name, test in CLASSES if any(test(ch) for ch in password)}


class CharacterClassValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = max(0, min(int(min_classes), len(CLASSES)))

    def validate(self, password, user=None):
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号四类中的至少 %(count)d 类。"),
                code="password_too_simple",
                params={"count": self.min_classes},
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号四类中的至少 %(count)d 类。") % {
            "count": self.min_classes
        }


class PasswordHistoryValidator:
    """Not the current password nor any of the last `count` (their hashes are kept in
    members.PasswordHistory); 0 turns the rule and the record off."""

    def __init__(self, count: int = 5):
        self.count = max(0, int(count))

    def _recent(self, user):
        from members.models import PasswordHistory

        return PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[
            : self.count
        ]

    def validate(self, password, user=None):
        if not self.count or user is None or user.pk is None:
            return
        hashes = [user.password, *self._recent(user)] if user.password else list(self._recent(user))
        if any(h and check_password(password, h) for h in dict.fromkeys(hashes)):
            raise ValidationError(
                ngettext(
                    "新密码不能与最近 %(count)d 次使用过的密码相同。",
                    "新密码不能与最近 %(count)d 次使用过的密码相同。",
                    self.count,
                ),
                code="password_reused",
                params={"count": self.count},
            )

    def password_changed(self, password, user=None):
        """Called by Django after a changed password is saved: keep its hash, forget the ones
        beyond the last `count`."""
        if not self.count or user is None or user.pk is None or not user.password:
            return
        from members.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.count :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return ngettext(
            "新密码不能与最近 %(count)d 次使用过的密码相同。",
            "新密码不能与最近 %(count)d 次使用过的密码相同。",
            self.count,
        ) % {"count": self.count}
