"""The roster (participants.xlsx, sheet `participants`): who is in which cohort, as the
contract names its columns and as `raw.participants` lands it.

Read by `ingest.ingest_roster`; the value rules that need the whole roster (one row per
participant, the cohort sizes of programme.toml) are the `raw_participants` suite's.
"""

from __future__ import annotations

from orchestration.lib.headers import ColumnSpec
from orchestration.lib.lineage import LINEAGE_COLUMNS

SHEET = "participants"
# name, email and country_of_exile are in the contract but are never read.
COLUMNS = ColumnSpec(required=("participant_id", "cohort", "participant_type"))
LANDED = ("participant_key", "cohort", "participant_type", *LINEAGE_COLUMNS)
