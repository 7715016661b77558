"""The JSON Schemas and documented examples, shipped in the wheel as `photo_contracts.schemas` (pyproject.toml)."""
