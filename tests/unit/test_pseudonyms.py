import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

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


# Letters whose upper and lower case are one letter once case-folded (dotless i, U+0131, is not: its
# upper case is "I", another letter's), digits and dashes, in any script.
ID_TEXT = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Nd", "Pd")).filter(
        lambda c: c.upper().casefold() == c.casefold() == c.lower().casefold()
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(ID_TEXT, ID_TEXT, st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"]))
@example("\u1fd2", "0", "NFC")  # case folding decomposes it: found by this test
def test_variants_of_one_id_share_a_pseudonym_and_keys_separate_them(left, right, form):
    programme_id = f"{left} {right}"
    variant = "  " + unicodedata.normalize(form, f"{left.upper()}\t {right.lower()}") + " "
    assert pseudonymise(variant, KEY) == pseudonymise(programme_id, KEY)
    assert pseudonymise(programme_id, KEY) != pseudonymise(programme_id, OTHER_KEY)
