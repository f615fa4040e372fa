"""Oversight (policy A-1 … A-6) arrives with its own issue; the app exists so the layout is whole."""
