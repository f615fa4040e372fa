"""State machines of a group's life: status enums and transition tables. Pure data, no database.

Services (groups/services/…) are the only code that changes a status, and they do it through
`ensure_transition`, so every allowed move is readable here in one place (STYLE.md)."""


from dataclasses import dataclass


@dataclass(frozen=True)
class TransitionRefused(Exception):
    current: str
    action: str

    def __str__(self) -> str:
        return f"{self.action} is not allowed from {self.current}"


def next_status(table: dict[tuple[str, str], str], current: str, action: str) -> str:
    """The status `action` leads to from `current`; TransitionRefused when the table has no such
    move."""
    try:
        return table[(current, action)]
    except KeyError:
        raise TransitionRefused(str(current), str(action)) from None


def allowed_actions(table: dict[tuple[str, str], str], current: str) -> list[str]:
    return [action for (status, action) in table if status == current]
