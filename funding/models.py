"""Funding (policy F-1 … F-5) arrives with its own issue; the app exists so the layout is whole."""
