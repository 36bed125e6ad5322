import stat
from dataclasses import replace

import pytest

from orchestration.settings import Settings, SettingsError


def _settings(tmp_path, production=False):
    return Settings(
        raw_dir=tmp_path / "raw",
        warehouse_dir=tmp_path / "wh",
        key_file=tmp_path / "keys" / "pseudonym.key",
        production=production,
    )


def test_a_sample_run_creates_a_private_key_once_and_says_so(tmp_path):
    settings = _settings(tmp_path)
    key, notice = settings.pseudonym_key()
    assert notice and str(settings.key_file) in notice
    assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600
    again, second_notice = settings.pseudonym_key()
    assert again == key and second_notice is None


def test_production_refuses_to_run_without_a_key(tmp_path):
    with pytest.raises(SettingsError, match="production runs never create one"):
        _settings(tmp_path, production=True).pseudonym_key()
    assert not (tmp_path / "keys" / "pseudonym.key").exists()


def test_a_short_key_is_refused(tmp_path):
    settings = _settings(tmp_path)
    settings.key_file.parent.mkdir(parents=True)
    settings.key_file.write_text("short")
    with pytest.raises(SettingsError, match="shorter than 16 bytes"):
        settings.pseudonym_key()


def test_paths_are_absolute_and_derived_from_two_roots(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env(
        {
            "IDREAM_RAW_DIR": "in",
            "IDREAM_WAREHOUSE_DIR": "out",
            "IDREAM_PSEUDONYM_KEY_FILE": "k.key",
            "IDREAM_ENV": "Production",
        }
    )
    assert settings.raw_dir == tmp_path / "in"
    assert settings.database_path == tmp_path / "out" / "idream.duckdb"
    assert settings.build_database_path == tmp_path / "out" / ".build" / "idream.duckdb"
    assert settings.production


def _encrypted(tmp_path, production=False):
    return replace(_settings(tmp_path, production), warehouse_key_file=tmp_path / "wh.key")


def test_production_keeps_the_warehouse_encrypted(tmp_path):
    with pytest.raises(SettingsError, match="IDREAM_WAREHOUSE_KEY_FILE"):
        _settings(tmp_path, production=True).warehouse_key()
    assert _settings(tmp_path).warehouse_key() is None


def test_a_missing_warehouse_key_is_created_outside_production_only(tmp_path):
    with pytest.raises(SettingsError, match="no warehouse key at"):
        _encrypted(tmp_path, production=True).create_warehouse_key()
    assert not (tmp_path / "wh.key").exists()

    settings = _encrypted(tmp_path)
    assert "created a new warehouse encryption key" in settings.create_warehouse_key()
    assert stat.S_IMODE(settings.warehouse_key_file.stat().st_mode) == 0o600
    assert settings.create_warehouse_key() is None
    assert len(settings.warehouse_key()) == 64


@pytest.mark.parametrize(
    "content", ["short", "a" * 40 + "'; drop table x; --", "a" * 20 + "\n" + "b" * 20]
)
def test_a_malformed_warehouse_key_is_refused_without_showing_it(tmp_path, content):
    settings = _encrypted(tmp_path)
    settings.warehouse_key_file.write_text(content)
    with pytest.raises(SettingsError, match="must be one line of at least 32") as error:
        settings.warehouse_key()
    assert content.strip() not in str(error.value)


def test_the_warehouse_key_setting_is_read_from_the_environment(tmp_path):
    settings = Settings.from_env({"IDREAM_WAREHOUSE_KEY_FILE": str(tmp_path / "k")})
    assert settings.encrypted and settings.warehouse_key_file == tmp_path / "k"
    assert not Settings.from_env({}).encrypted
