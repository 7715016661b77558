"""The OpenAPI contracts, shipped in the wheel as the package data `photo_contracts.openapi` (pyproject.toml)."""
