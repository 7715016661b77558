"""The vendors' own documents, shipped in the wheel as `photo_contracts.sources` (pyproject.toml)."""
