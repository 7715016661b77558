"""Drift profile catalogs, one module per API (each defines PROFILES)."""
