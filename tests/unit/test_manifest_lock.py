"""The manifest the dbt assets are defined from is never read while a parse writes it: an
`idream run`, the UI's code server and parallel test workers each parse the one project."""

import json
import threading
from types import SimpleNamespace

from orchestration.defs.dbt_project import _manifest_lock, read_manifest


def test_a_manifest_is_read_only_once_the_parse_writing_it_has_finished(tmp_path):
    project = SimpleNamespace(
        project_dir=tmp_path,
        target_path="target",
        manifest_path=tmp_path / "target" / "manifest.json",
    )
    read = []
    with _manifest_lock(project, exclusive=True):
        project.manifest_path.write_text('{"nodes": {"model.a": ', encoding="utf-8")
        reader = threading.Thread(target=lambda: read.append(read_manifest(project)))
        reader.start()
        reader.join(timeout=0.5)
        assert reader.is_alive() and not read  # waiting for the parse, not reading half
        project.manifest_path.write_text(json.dumps({"nodes": {"model.a": {}}}))
    reader.join(timeout=5)
    assert read == [{"nodes": {"model.a": {}}}]
