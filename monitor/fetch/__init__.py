"""HTTP fetching: politeness, limits, conditional GET, redirects, robots.txt."""

from monitor.fetch.client import Fetcher, FetchResult, parse_retry_after

__all__ = ["FetchResult", "Fetcher", "parse_retry_after"]
