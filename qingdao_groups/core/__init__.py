"""Shared parts of the features (workflow runner, documents, notifications, inbox and timeline
registries). Depends on `members` only, never on a feature package (import-linter contract)."""
