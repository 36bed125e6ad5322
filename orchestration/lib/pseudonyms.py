"""Keyed pseudonyms for participant ids (HMAC-SHA-256, ENISA 2019).

A plain hash of a programme code can be reversed by hashing every plausible code; a
keyed hash cannot without the key, which lives outside the repository and the data.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import polars as pl

from orchestration.lib.columns import map_distinct

_SPACES = re.compile(r"\s+")
PSEUDONYM_PREFIX = "p_"
# 64 bits: the chance of two of even 100,000 participants colliding is about 3e-10, and
# a collision would still fail the dbt uniqueness test on dim_participants.
PSEUDONYM_HEX_CHARS = 16


def normalise_participant_id(raw_id: str) -> str:
    """One person, one pseudonym: NFKC, case-folded, spaces collapsed.

    NFKC again after case folding (Unicode's NFKC_Casefold, for caseless matching of
    identifiers): folding can leave a decomposed sequence, e.g. for "ῒ"."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw_id).casefold())
    return _SPACES.sub(" ", text).strip()


def pseudonymise(raw_id: str, key: bytes) -> str:
    if not key:
        raise ValueError("the pseudonym key is empty")
    digest = hmac.new(key, normalise_participant_id(raw_id).encode("utf-8"), hashlib.sha256)
    return PSEUDONYM_PREFIX + digest.hexdigest()[:PSEUDONYM_HEX_CHARS]


def pseudonymise_column(
    frame: pl.DataFrame, column: str, key: bytes, alias: str = "participant_key"
) -> pl.DataFrame:
    """Add `alias` holding the pseudonym of `column`; each distinct id is hashed once."""
    pseudonyms = map_distinct(frame[column], lambda value: pseudonymise(value, key), pl.String)
    return frame.with_columns(pseudonyms.alias(alias))
