"""Vendor facts and invariants, one module per API (each defines FACTS and INVARIANTS)."""
