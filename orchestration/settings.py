"""The pipeline's settings: one object, built once at the entry point and passed down.

Every path the pipeline uses is derived here from two roots (the raw folder and the
warehouse folder), resolved to absolute paths so that Dagster, dbt and the analysts'
tools all point at the same files whatever their working directory.
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from orchestration.lib.postgres import WarehouseUrl, WarehouseUrlError, parse_warehouse_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "transforms"
DATABASE_FILE = "idream.duckdb"
BRIEF_FOLDER = "brief"
# Under a root of several programmes, each programme's warehouse folder is
# <warehouse>/programmes/<id>/: its own DuckDB file, and so its own writer.
PROGRAMMES_FOLDER = "programmes"
# The working copy every run writes; analysts never open it (see `Settings.build_dir`).
BUILD_FOLDER = ".build"
# The dbt beside this interpreter: `idream` and `make` run without an activated virtualenv.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
DEFAULT_KEY_FILE = Path("~/.config/idream/pseudonym.key")


class SettingsError(Exception):
    """A setting is missing or unusable; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_dir: Path
    key_file: Path
    production: bool = False
    # Set: the warehouse (build copy and published file) is encrypted at rest with the key
    # in this file (lib/encryption.py). Production runs require it.
    warehouse_key_file: Path | None = None
    # The password of password-protected input workbooks, in a file (not the environment:
    # child processes and crash reports copy the environment).
    workbook_password_file: Path | None = None
    # Set (IDREAM_WAREHOUSE_URL): the run lands, checks, builds and publishes on this
    # PostgreSQL database rather than in the DuckDB file (lib/build_store.py). No password
    # in it: libpq reads PGPASSFILE, ~/.pgpass or PGPASSWORD (lib/postgres.py).
    warehouse_url: WarehouseUrl | None = None
    # Set once the settings are one programme's (`for_programme`): its id, the run's
    # Dagster partition key.
    programme_id: str | None = None
    # Set for a programme under a root: its brief is <warehouse>/brief/<id>/, beside the
    # other programmes' briefs, not inside its own warehouse folder.
    programme_brief_dir: Path | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            raw_dir=absolute(env.get("IDREAM_RAW_DIR") or str(PROJECT_ROOT / "raw")),
            warehouse_dir=absolute(
                env.get("IDREAM_WAREHOUSE_DIR") or str(PROJECT_ROOT / "warehouse")
            ),
            key_file=absolute(env.get("IDREAM_PSEUDONYM_KEY_FILE") or str(DEFAULT_KEY_FILE)),
            production=env.get("IDREAM_ENV", "").strip().lower() == "production",
            warehouse_key_file=_optional_path(env.get("IDREAM_WAREHOUSE_KEY_FILE")),
            workbook_password_file=_optional_path(env.get("IDREAM_WORKBOOK_PASSWORD_FILE")),
            warehouse_url=_optional_url(env.get("IDREAM_WAREHOUSE_URL")),
        )

    @property
    def database_path(self) -> Path:
        """The warehouse analysts query; replaced whole, only by a successful run."""
        return self.warehouse_dir / DATABASE_FILE

    @property
    def brief_dir(self) -> Path:
        return self.programme_brief_dir or self.warehouse_dir / BRIEF_FOLDER

    def for_programme(self, folder: Path, programme_id: str, root: bool) -> Settings:
        """One programme's settings. A single programme folder keeps the warehouse layout
        as it is (`<warehouse>/idream.duckdb`, `brief/`, `quality/`, `.build/`); a programme
        under a root gets its own warehouse folder, `<warehouse>/programmes/<id>/`, and its
        brief at `<warehouse>/brief/<id>/`. The keys and the rest are shared."""
        if not root:
            return replace(self, raw_dir=folder, programme_id=programme_id)
        return replace(
            self,
            raw_dir=folder,
            warehouse_dir=self.warehouse_dir / PROGRAMMES_FOLDER / programme_id,
            programme_id=programme_id,
            programme_brief_dir=self.warehouse_dir / BRIEF_FOLDER / programme_id,
        )

    def programmes(self) -> list[Settings]:
        """The settings of every programme the raw folder holds (one for a programme
        folder), sorted by id; `RawDataError` names every folder that is not usable."""
        from orchestration.lib.programme_root import find_programmes

        listing = find_programmes(self.raw_dir)
        return [
            self.for_programme(programme.folder, programme.id, listing.root)
            for programme in listing.programmes
        ]

    def programme(self, programme_id: str) -> Settings:
        """The settings of the programme whose id is `programme_id` (a run's partition key)."""
        for settings in self.programmes():
            if settings.programme_id == programme_id:
                return settings
        raise SettingsError(
            f"{self.raw_dir} holds no programme '{programme_id}' (a programme's id is "
            "[programme] id in its programme.toml, else its folder's name)"
        )

    @property
    def in_root(self) -> bool:
        """Whether these are the settings of a programme under a root of several."""
        return self.programme_brief_dir is not None

    @property
    def quality_dir(self) -> Path:
        """The data-quality report (GX Data Docs and summary.json), written by every run."""
        return self.warehouse_dir / "quality"

    @property
    def build_dir(self) -> Path:
        """Where a run builds; its results are swapped into place only when all of it passed."""
        return self.warehouse_dir / BUILD_FOLDER

    @property
    def published_state_path(self) -> Path:
        """The fingerprint of the inputs of the outputs now published (see lib/fingerprint.py)."""
        return self.build_dir / "published.json"

    def fingerprint(self, raw_state: dict[str, str] | None = None) -> str | None:
        from orchestration.lib.fingerprint import pipeline_fingerprint

        return pipeline_fingerprint(
            self.raw_dir,
            PROJECT_ROOT,
            self.key_file,
            self.production,
            raw_state,
            warehouse_key_file=self.warehouse_key_file,
            warehouse=str(self.warehouse_url) if self.warehouse_url else "duckdb",
        )

    @property
    def scratch_dir(self) -> Path:
        """Staging space for publishing; what a killed run leaves here, the next one removes."""
        return self.build_dir / "scratch"

    @property
    def build_database_path(self) -> Path:
        # Same file name as the published warehouse: DuckDB names the catalog after the
        # file, and the views dbt writes refer to that catalog by name.
        return self.build_dir / DATABASE_FILE

    def pseudonym_key(self) -> tuple[bytes, str | None]:
        """The HMAC key, and a notice when a new local key was created for this sample run.

        The key is read when needed and never stored on this object, so it cannot leak
        into Dagster's run configuration, logs or the warehouse.
        """
        if self.key_file.exists():
            key = self.key_file.read_bytes().strip()
            if len(key) < 16:
                raise SettingsError(
                    f"the pseudonym key in {self.key_file} is shorter than 16 bytes"
                )
            return key, None
        if self.production:
            raise SettingsError(
                f"no pseudonym key at {self.key_file}: production runs never create one. "
                "Restore the programme's key file, or point IDREAM_PSEUDONYM_KEY_FILE at it."
            )
        _write_private(self.key_file, secrets.token_hex(32))
        notice = (
            f"created a new local pseudonym key at {self.key_file} (sample run). Keep it: "
            "pseudonyms made with another key will not match these."
        )
        return self.key_file.read_bytes().strip(), notice

    @property
    def encrypted(self) -> bool:
        return self.warehouse_key_file is not None

    def warehouse_key(self) -> str | None:
        """The warehouse encryption key, or None for a plain warehouse. Read when needed,
        like the pseudonym key, and never stored on this object."""
        if self.warehouse_key_file is None:
            if self.production:
                raise SettingsError(
                    "production runs keep the warehouse encrypted at rest: point "
                    "IDREAM_WAREHOUSE_KEY_FILE at the programme's warehouse key file"
                )
            return None
        if not self.warehouse_key_file.exists():
            raise SettingsError(
                f"no warehouse key at {self.warehouse_key_file}: restore the programme's key "
                "file (a warehouse encrypted with a lost key cannot be opened again)"
            )
        from orchestration.lib.encryption import EncryptionKeyError, read_key

        try:
            return read_key(self.warehouse_key_file)
        except EncryptionKeyError as error:
            raise SettingsError(str(error)) from error

    def create_warehouse_key(self) -> str | None:
        """Outside production, a missing warehouse key file is created on first use; the
        notice says so. Production never creates one: a new key cannot open the old file."""
        if self.warehouse_key_file is None or self.warehouse_key_file.exists():
            return None
        if self.production:
            self.warehouse_key()  # raises, naming the missing file
        from orchestration.lib.encryption import new_key

        _write_private(self.warehouse_key_file, new_key())
        return (
            f"created a new warehouse encryption key at {self.warehouse_key_file}. Keep it "
            "with the pseudonym key: without it the warehouse cannot be opened."
        )

    def workbook_password(self) -> str | None:
        if self.workbook_password_file is None:
            return None
        try:
            text = self.workbook_password_file.read_text(encoding="utf-8")
        except OSError as error:
            raise SettingsError(
                f"cannot read the workbook password file {self.workbook_password_file} "
                f"({error.strerror})"
            ) from error
        # Only the line ending an editor adds: spaces can be part of a password.
        return text.rstrip("\r\n") or None


def _optional_path(value: str | None) -> Path | None:
    return absolute(value) if value else None


def _optional_url(value: str | None) -> WarehouseUrl | None:
    if not value or not value.strip():
        return None
    try:
        return parse_warehouse_url(value)
    except WarehouseUrlError as error:
        raise SettingsError(str(error)) from None


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def absolute(path: str | Path) -> Path:
    return Path(path).expanduser().resolve()
