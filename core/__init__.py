"""The layer every stage shares: the feeds.yaml models and rule syntax, text folding and
markup stripping, logging without secrets, durations, the clock, URLs and people's names.
It imports nothing of `monitor` or `alerts` (the import contract in pyproject.toml)."""
