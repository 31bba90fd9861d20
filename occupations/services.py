"""Writes that touch more than one row or model. Keyword-only, typed, atomic."""
