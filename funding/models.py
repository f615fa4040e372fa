"""Funding (the policy's F clauses) arrives with its own issue; the app exists so the layout is
whole."""
