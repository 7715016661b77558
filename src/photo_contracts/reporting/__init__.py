"""Reports of a run: pytest-html content, summary.json, the console summary."""
