"""Reading `programme.toml`: each value is read with its key path, so that every error
names the file, the key and the value, as `programme.toml: survey.scales[1].top = 5: ...`.

Entries of an array of tables are counted from 1, as a person counts them in the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import NoReturn

from orchestration.lib.programme_definition import label_match_key
from orchestration.lib.text import clean_text

PROGRAMME_FILE = "programme.toml"
# The contract: "an id must be lowercase letters, digits and `_`".
_ID = re.compile(r"[a-z0-9_]*[a-z0-9][a-z0-9_]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_NOTHING = object()


class ProgrammeSettingsError(Exception):
    """programme.toml cannot be used; the message names the file and the setting."""


def fail(path: str, problem: str, value: object = _NOTHING) -> NoReturn:
    shown = "" if value is _NOTHING else f" = {as_toml(value)}"
    raise ProgrammeSettingsError(f"{PROGRAMME_FILE}: {path}{shown}: {problem}")


def as_toml(value: object) -> str:
    """A value as it would be written in the file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(as_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {as_toml(item)}" for key, item in value.items()) + "}"
    return str(value)


def key_path(parent: str, key: str) -> str:
    name = key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)
    return f"{parent}.{name}" if parent else name


def is_id(value: str) -> bool:
    return _ID.fullmatch(value) is not None


class Table:
    """One table of the file and its key path. Keys it does not know are refused, so
    that a misspelt key is an error rather than a silently applied default."""

    def __init__(self, values: dict, path: str = "", keys: Sequence[str] | None = None):
        self.values = values
        self.path = path
        if keys is not None:
            for key in values:
                if key not in keys:
                    fail(self.key(key), f"unknown key (known here: {', '.join(keys)})")

    def key(self, name: str) -> str:
        return key_path(self.path, name)

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def table(self, name: str, keys: Sequence[str] | None = None) -> Table:
        """An absent table reads as empty: each of its keys takes its default."""
        value = self.values.get(name, {})
        if not isinstance(value, dict):
            fail(self.key(name), f"must be a table ([{self.key(name)}])", value)
        return Table(value, self.key(name), keys)

    def tables(self, name: str, keys: Sequence[str]) -> list[Table]:
        value = self.values[name]
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            fail(self.key(name), f"must be an array of tables ([[{self.key(name)}]])", value)
        return [
            Table(item, f"{self.key(name)}[{number}]", keys)
            for number, item in enumerate(value, start=1)
        ]

    def required(self, name: str) -> object:
        if name not in self.values:
            fail(self.key(name), "missing: each entry states it (there is no default)")
        return self.values[name]

    def text(self, name: str) -> str:
        return _text(self.required(name), self.key(name))

    def texts(self, name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        """A list of strings; `default` when the key is absent."""
        value = self.values.get(name, _NOTHING)
        if value is _NOTHING:
            return default
        if not isinstance(value, list):
            fail(self.key(name), "must be a list of strings", value)
        return tuple(
            _text(item, f"{self.key(name)}[{number}]") for number, item in enumerate(value, 1)
        )

    def ident(self, name: str) -> str:
        value = self.required(name)
        if not isinstance(value, str) or not is_id(value):
            fail(self.key(name), "must be lowercase letters, digits and _", value)
        return value

    def integer(self, name: str, default: int, minimum: int | None = None) -> int:
        value = self.values.get(name, default)
        # bool is an int in Python; `min_cell_size = true` is a mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int):
            fail(self.key(name), "must be a whole number", value)
        if minimum is not None and value < minimum:
            fail(self.key(name), f"must be a whole number of at least {minimum}", value)
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.values.get(name, default)
        if not isinstance(value, bool):
            fail(self.key(name), "must be true or false", value)
        return value


def _text(value: object, path: str) -> str:
    """Text is kept as the pipeline cleans any raw text (NFKC, straight quotes, one space
    between words): the brief prints it. Every text of the file is a word or a label."""
    if not isinstance(value, str):
        fail(path, "must be a string", value)
    cleaned = clean_text(value)
    if cleaned is None:
        fail(path, "is blank", value)
    if not label_match_key(cleaned):
        fail(path, "has no letters or digits", value)
    return cleaned
