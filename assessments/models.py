"""Oversight (the policy's A clauses) arrives with its own issue; the app exists so the layout is
whole."""
