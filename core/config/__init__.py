"""feeds.yaml: pydantic models for every key, and errors an operator can act on.

Every problem is reported at once as `feeds[3].interval (line 42): message`. The stages, one
module each: `yaml_file` reads the file (a bounded, regular UTF-8 file; YAML with every key's
line, its anchors' expansion bounded), `models` are the keys, `checks` what one key's model
cannot see, `locate` turns pydantic's errors into located issues (`errors`), `load` puts them
together with the rule packs, and `runtime` lays the environment over the file.
"""

from core.config.checks import feed_url_key
from core.config.errors import ConfigError, ConfigIssue, Loc, format_loc
from core.config.load import load_config, load_rules, parse_config
from core.config.models import (
    LIMIT_KEYS,
    TOPIC_CHARS,
    WEEKDAYS,
    AppConfig,
    ChannelConfig,
    FeedConfig,
    Limits,
    RulesConfig,
    Selectors,
    Settings,
    TallyChartSchedule,
    TallySettings,
)
from core.config.runtime import (
    DEFAULT_API_URL,
    DEFAULT_DB_URL,
    Runtime,
    api_url_problem,
    config_path_from,
    console_fallback,
    raw_database_url,
    resolve_runtime,
    token_problem,
)
from core.config.values import (
    DEFAULT_CONFIG,
    DEFAULT_INTERVAL,
    Duration,
    header_safe,
    known_zone,
    parse_allow_entry,
    stripped,
)
from core.config.yaml_file import MAX_CONFIG_BYTES, MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_NODES

__all__ = [
    "DEFAULT_API_URL", "DEFAULT_CONFIG", "DEFAULT_DB_URL", "DEFAULT_INTERVAL", "LIMIT_KEYS",
    "MAX_CONFIG_BYTES", "MAX_YAML_ALIASES", "MAX_YAML_DEPTH", "MAX_YAML_NODES", "TOPIC_CHARS",
    "WEEKDAYS", "AppConfig", "ChannelConfig", "ConfigError", "ConfigIssue", "Duration",
    "FeedConfig", "Limits", "Loc", "RulesConfig", "Runtime", "Selectors", "Settings",
    "TallyChartSchedule", "TallySettings", "api_url_problem", "config_path_from", "console_fallback", "feed_url_key",
    "format_loc", "header_safe", "known_zone", "load_config", "load_rules", "parse_allow_entry",
    "parse_config", "raw_database_url", "resolve_runtime", "stripped", "token_problem",
]
