import hashlib

from orchestration.sample_programme import generate
from tests.conftest import SAMPLE_RAW


def test_the_committed_sample_is_what_the_generator_writes(tmp_path):
    """raw/ is generated, not hand-edited: regenerating it gives the same bytes."""
    written = generate(tmp_path)
    for path in written:
        committed = SAMPLE_RAW / path.relative_to(tmp_path)
        assert committed.exists(), committed
        assert (
            hashlib.sha256(path.read_bytes()).digest()
            == hashlib.sha256(committed.read_bytes()).digest()
        ), path
    assert {p.relative_to(tmp_path) for p in written} == {
        p.relative_to(SAMPLE_RAW) for p in SAMPLE_RAW.rglob("*") if p.is_file()
    }
