import pytest

from orchestration.lib.pseudonyms import pseudonymise

KEY = b"k" * 32
OTHER_KEY = b"o" * 32


def test_same_id_same_key_gives_the_same_pseudonym():
    assert pseudonymise("C1-07", KEY) == pseudonymise("C1-07", KEY)


def test_another_key_gives_another_pseudonym():
    assert pseudonymise("C1-07", KEY) != pseudonymise("C1-07", OTHER_KEY)


@pytest.mark.parametrize("variant", ["c1-07", " C1-07 ", "C1-07\u00a0", "\uff23\uff11-07"])
def test_case_spacing_and_unicode_form_do_not_matter(variant):
    assert pseudonymise(variant, KEY) == pseudonymise("C1-07", KEY)


def test_different_ids_differ_and_do_not_reveal_the_id():
    first, second = pseudonymise("C1-07", KEY), pseudonymise("C1-08", KEY)
    assert first != second
    assert "C1" not in first and first.startswith("p_") and len(first) == 18


def test_an_empty_key_is_refused():
    with pytest.raises(ValueError):
        pseudonymise("C1-07", b"")
