"""`idream run --programme ID`: one programme of a root, so that runs of different
programmes can be started at once on the PostgreSQL team warehouse."""

from orchestration import cli
from tests.unit.test_partitions import settings_of, write_root


def test_the_chosen_programme_is_the_one_with_that_id(tmp_path):
    root = write_root(tmp_path / "root", "beta", "alpha")
    programmes = settings_of(root, tmp_path).programmes()
    (chosen,) = cli.chosen_programme(programmes, "beta")
    assert chosen.programme_id == "beta" and chosen.raw_dir == root / "folder_beta"
    # The id, not the folder's name.
    assert cli.chosen_programme(programmes, "folder_beta") == []


def test_an_unknown_programme_is_refused_before_anything_runs(tmp_path, capsys):
    root = write_root(tmp_path / "root", "alpha")
    warehouse = tmp_path / "warehouse"
    code = cli.main(
        ["run", "--raw-dir", str(root), "--warehouse-dir", str(warehouse), "--programme", "beta"]
    )
    assert code == 2
    assert f"{root} holds no programme 'beta'" in capsys.readouterr().err
    assert not warehouse.exists()
