"""The few helpers every app uses: a permission outcome that explains itself and the error a
service raises when a rule refuses an action."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str | Promise = ""  # a translatable reason is translated when it is shown

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def require(decision: Decision) -> None:
    """Raise PermissionDenied carrying the reason when a rule says no."""
    if not decision.allowed:
        raise PermissionDenied(decision.reason)


class RuleRefusal(Exception):
    """A business rule refused an action; `message` is translated and shown to the user."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def add_form_error(form, exc: RuleRefusal) -> None:
    """Show a refused rule next to the field it concerns (or above the form); the user's input
    stays in the bound form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
