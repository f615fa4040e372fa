"""Writes to groups: one module per lifecycle (registry, applications, cards, filings,
enrollment). Import the functions from here."""

from groups.services.registry import (
    group_create,
    membership_add,
    membership_conflict,
    membership_end,
    partnership_add,
)

__all__ = ["group_create", "membership_add", "membership_conflict", "membership_end",
           "partnership_add"]
