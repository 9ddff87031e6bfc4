"""What every `monitor` subcommand parser shares (monitor/cli.py and its *_cli modules)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def add_command(
    sub: Any, common: argparse.ArgumentParser, name: str, handler: Callable[..., Any] | None,
    help: str, description: str | None = None,
) -> argparse.ArgumentParser:
    """Add the subcommand NAME with the common options; HANDLER runs it (None: its own
    subcommands set theirs)."""
    p: argparse.ArgumentParser = sub.add_parser(
        name, parents=[common], help=help, description=description,
    )
    if handler is not None:
        p.set_defaults(handler=handler)
    return p


def add_group(
    sub: Any, common: argparse.ArgumentParser, name: str, dest: str, help: str, description: str,
) -> Any:
    """Add the subcommand NAME whose own subcommands (one required) go to `dest`; their
    subparsers."""
    return add_command(sub, common, name, None, help, description).add_subparsers(
        dest=dest, required=True,
    )
