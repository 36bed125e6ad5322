"""What the run's quality report lists besides the suites: the raw folder's files that the
contract does not read, so that nothing handed over is dropped without a word."""

from orchestration.lib.quality.runner import files_not_read


def test_files_and_folders_the_contract_does_not_read_are_listed(tmp_path):
    (tmp_path / "success_markers" / "2023").mkdir(parents=True)
    (tmp_path / "survey").mkdir()
    (tmp_path / "participants.xlsx").write_bytes(b"")
    (tmp_path / "README.txt").write_text("notes")
    (tmp_path / "success_markers" / "cohort_1.xlsx").write_bytes(b"")
    (tmp_path / "success_markers" / "scan.pdf").write_bytes(b"")
    (tmp_path / "survey" / "export.csv").write_text("a\n")
    (tmp_path / "survey" / "~$export.xlsx").write_bytes(b"")  # Excel's lock file: not data
    assert files_not_read(tmp_path) == [
        "README.txt",
        "success_markers/2023/",
        "success_markers/scan.pdf",
    ]


def test_a_folder_with_a_symbolic_link_lists_nothing(tmp_path):
    # The run refuses the link and says so; the report does not guess around it.
    (tmp_path / "README.txt").write_text("notes")
    (tmp_path / "linked.txt").symlink_to(tmp_path / "README.txt")
    assert files_not_read(tmp_path) == []
