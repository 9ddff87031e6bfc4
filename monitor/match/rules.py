"""Placeholder topic-rule schema; the matching stage replaces it."""

from typing import Literal

from pydantic import BaseModel, ConfigDict


class TopicRules(BaseModel):
    model_config = ConfigDict(extra="allow")


class EntitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    type: Literal["person", "org", "place"]
    aliases: list[str] = []
