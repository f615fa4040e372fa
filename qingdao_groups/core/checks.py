"""Policy-check results shared by every feature that checks a case against the policy before a
decision (applications now; funding and assessments next): the severities and the outcome of
one check, each citing its clause. A feature keeps its own check functions and stores the
outcomes it must keep.

Severity:
- HARD: never overridable;
- WARNING: the policy says 原则上 ("in principle"): the decider may proceed only with a written
  justification kept with the decision;
- INFO: a figure shown to both sides."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdao_groups.core.messages import Message


class Severity(models.TextChoices):
    HARD = "hard", _("硬性规定")
    WARNING = "warning", _("原则性规定")
    INFO = "info", _("信息")


HARD = Severity.HARD
WARNING = Severity.WARNING
INFO = Severity.INFO


@dataclass(frozen=True)
class Outcome:
    """One check's result. `message` is the text in the active language; `text` the message
    code with its parameters, which is what a feature stores (rendered again in the reader's
    language when shown; qingdao_groups/core/messages.py)."""

    clause: str
    severity: str
    passed: bool
    message: str
    url: str = ""  # what the outcome names, when it names a record (a conflicting application)
    text: Message | None = field(default=None, compare=False)


def outcome(clause: str, severity: str, passed: bool, text: Message, url: str = "") -> Outcome:
    """An Outcome whose message is `text` rendered now and kept as a code; `url` when it names a
    record (a conflicting application)."""
    return Outcome(clause, severity, passed, str(text), url, text)


def hard_failures(outcomes: list[Outcome]) -> list[Outcome]:
    """What blocks the case outright."""
    return [o for o in outcomes if o.severity == HARD and not o.passed]


def warnings(outcomes: list[Outcome]) -> list[Outcome]:
    """What the decider may pass over only with a written justification."""
    return [o for o in outcomes if o.severity == WARNING and not o.passed]
