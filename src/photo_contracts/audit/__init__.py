"""Audit: what changed between two contract versions, or between two recorded runs."""
