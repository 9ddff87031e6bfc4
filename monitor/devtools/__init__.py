"""Development helpers: a local feed server for tests, benchmarks, the demo and soak runs."""
