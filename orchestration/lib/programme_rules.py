"""The rules a programme definition keeps across its entries: no id twice, and no label
with two meanings, labels compared by the contract's label rule (aliases, plurals and
matchable ids included). Each rule stops at the first breach, naming both keys."""

from __future__ import annotations

from collections.abc import Set

from orchestration.lib.programme_definition import (
    Category,
    ProgrammeDefinition,
    label_match_key,
)
from orchestration.lib.programme_toml import as_toml, fail

# (key path, label or id, meaning): the spellings of one meaning share the last element.
Spelling = tuple[str, str, tuple[str, int]]
# (key that the file may state, rest of the path, categories)
CategoryList = tuple[str, str, tuple[Category, ...]]


def check_definition(definition: ProgrammeDefinition, given: Set[str]) -> None:
    """`given` holds the list keys the file states; the others are IDREAM's defaults, and
    a clash between a stated label and a default one names the default as such."""
    paths = _Paths(given)
    markers, survey = definition.markers, definition.survey
    types, domains, sections = definition.participant_types, definition.domains, survey.sections
    ids = {
        key: _entry_ids(paths, key, entries)
        for key, entries in (
            ("participant_types", types),
            ("domains", domains),
            ("survey.sections", sections),
            ("survey.scales", survey.scales),
        )
    }
    for spellings in ids.values():
        _once(spellings, "repeats the id of {first}")

    categories: dict[str, list[CategoryList]] = {
        "level": [("markers.levels", "", markers.levels)],
        "status": [
            ("markers.achieved", "", markers.achieved),
            ("markers.not_achieved", "", markers.not_achieved),
        ],
        "review": [("markers.reviews", "", markers.reviews)],
    }
    # An answer is read against its item's scale: a label means one thing within a scale
    # and the excluded answers, and two scales may share one (`Agree` on a 4-point and a
    # 5-point scale is one answer, with one code).
    excluded: CategoryList = ("survey.excluded", "", survey.excluded)
    answers = [
        [("survey.scales", f"[{number}].categories", scale.categories), excluded]
        for number, scale in enumerate(survey.scales, start=1)
    ]
    labels = {
        "participant type": _entries(
            paths, "participant_types", types, ("id", "label", "plural", "aliases")
        ),
        "domain": _entries(paths, "domains", domains, ("id", "label", "aliases")),
        "section": _entries(paths, "survey.sections", sections, ("id", "label")),
        "scale": ids["survey.scales"],  # a scale is named by its id only
        "review state": [
            (paths("survey.exclude_review_states", f"[{number}]"), state, ("state", number))
            for number, state in enumerate(survey.exclude_review_states, start=1)
        ],
        **{noun: _category_labels(paths, lists) for noun, lists in categories.items()},
    }
    for noun, spellings in labels.items():
        _one_meaning(spellings, noun)
    for lists in answers:
        _one_meaning(_category_labels(paths, lists), "answer")
    # Codes follow labels, so they differ when labels do; but IDREAM's v1 codes are kept
    # as v1 wrote them (`dont_know`), and a stated label may come out as one of them.
    for lists in [*categories.values(), *answers]:
        _codes_once(paths, lists)


class _Paths:
    def __init__(self, given: Set[str]):
        self.given = given

    def __call__(self, key: str, tail: str) -> str:
        path = f"{key}{tail}"
        return path if key in self.given else f"{path} (IDREAM default)"


def _entry_ids(paths: _Paths, key: str, entries) -> list[Spelling]:
    return [
        (paths(key, f"[{number}].id"), entry.id, (key, number))
        for number, entry in enumerate(entries, start=1)
    ]


def _entries(paths: _Paths, key: str, entries, attributes: tuple[str, ...]) -> list[Spelling]:
    """A sequence-valued attribute (aliases) contributes each of its items."""
    spellings = []
    for number, entry in enumerate(entries, start=1):
        for attribute in attributes:
            value = getattr(entry, attribute)
            if isinstance(value, str):
                spellings.append((paths(key, f"[{number}].{attribute}"), value, (key, number)))
                continue
            for item_number, item in enumerate(value, start=1):
                path = paths(key, f"[{number}].{attribute}[{item_number}]")
                spellings.append((path, item, (key, number)))
    return spellings


def _category_labels(paths: _Paths, lists: list[CategoryList]) -> list[Spelling]:
    return [
        (paths(key, f"{tail}[{number}]"), spelling, (key + tail, number))
        for key, tail, categories in lists
        for number, category in enumerate(categories, start=1)
        for spelling in category.spellings
    ]


def _codes_once(paths: _Paths, lists: list[CategoryList]) -> None:
    first_of: dict[str, str] = {}
    for key, tail, categories in lists:
        for number, category in enumerate(categories, start=1):
            path = paths(key, f"{tail}[{number}]")
            first_path = first_of.setdefault(category.id, path)
            if first_path != path:
                fail(
                    path, f"its code {category.id} is the code of {first_path} too", category.label
                )


def _once(spellings: list[Spelling], problem: str) -> None:
    first_of: dict[str, tuple[str, tuple[str, int]]] = {}
    for path, value, meaning in spellings:
        first_path, first_meaning = first_of.setdefault(value, (path, meaning))
        if first_meaning != meaning:
            fail(path, problem.format(first=first_path), value)


def _one_meaning(spellings: list[Spelling], noun: str) -> None:
    first_of: dict[str, tuple[str, str, tuple[str, int]]] = {}
    for path, label, meaning in spellings:
        key = label_match_key(label)
        if not key:
            fail(path, "has no letters or digits", label)
        first_path, first_label, first_meaning = first_of.setdefault(key, (path, label, meaning))
        if first_meaning != meaning:
            fail(
                path,
                f"the same label as {first_path} = {as_toml(first_label)} (labels match "
                f"ignoring case, spaces and punctuation); a label names one {noun} only",
                label,
            )
