"""The definition tables of `programme.toml` ([programme], [[participant_types]],
[[domains]], [markers], [survey]) read into a `ProgrammeDefinition`: an absent table or
key takes IDREAM's v1, a given key replaces it whole (a list is not merged)."""

from __future__ import annotations

import unicodedata

from orchestration.lib.programme_definition import (
    ANY_SCALE,
    IDREAM_DOMAINS,
    IDREAM_MARKERS,
    IDREAM_NAME,
    IDREAM_PARTICIPANT_TYPES,
    IDREAM_SURVEY,
    Category,
    Domain,
    Markers,
    ParticipantType,
    ProgrammeDefinition,
    Scale,
    Section,
    Survey,
    label_id,
)
from orchestration.lib.programme_rules import check_definition
from orchestration.lib.programme_toml import Table, fail, is_id

DEFINITION_KEYS = ("programme", "participant_types", "domains", "markers", "survey")
DEFAULT_TOP = 2  # v1 published the top two categories of every scale


def read_definition(file: Table, folder_name: str) -> ProgrammeDefinition:
    """The definition tables of the file; each absent table or key takes IDREAM's v1."""
    given: set[str] = set()  # list keys the file states, for the rules' messages
    programme = file.table("programme", ("id", "name"))
    definition = ProgrammeDefinition(
        id=programme.ident("id") if "id" in programme else programme_id_from_folder(folder_name),
        name=programme.text("name") if "name" in programme else IDREAM_NAME,
        participant_types=_participant_types(file, given),
        domains=_domains(file, given),
        markers=_markers(
            file.table("markers", ("levels", "reviews", "achieved", "not_achieved")), given
        ),
        survey=_survey(
            file.table(
                "survey",
                ("cohort_column", "excluded", "exclude_review_states", "scales", "sections"),
            ),
            given,
        ),
    )
    check_definition(definition, given)
    return definition


def programme_id_from_folder(folder_name: str) -> str:
    """`IDREAM 2024` -> `idream_2024`, `Données` -> `donnees`: the label id rule, over the
    name's letters with their accents dropped (an id is ASCII)."""
    ascii_name = unicodedata.normalize("NFKD", folder_name).encode("ascii", "ignore").decode()
    programme_id = label_id(ascii_name)
    if not is_id(programme_id):
        fail(
            "programme.id",
            f"absent, and the folder name {folder_name!r} has no letter or digit to make one "
            "of: state [programme] id",
        )
    return programme_id


def _participant_types(file: Table, given: set[str]) -> tuple[ParticipantType, ...]:
    if "participant_types" not in file:
        return IDREAM_PARTICIPANT_TYPES
    given.add("participant_types")
    entries = file.tables("participant_types", ("id", "label", "plural", "aliases"))
    _count(file.key("participant_types"), len(entries), "participant types", 1, None)
    return tuple(
        ParticipantType(e.ident("id"), e.text("label"), e.text("plural"), e.texts("aliases"))
        for e in entries
    )


def _domains(file: Table, given: set[str]) -> tuple[Domain, ...]:
    if "domains" not in file:
        return IDREAM_DOMAINS
    given.add("domains")
    entries = file.tables("domains", ("id", "label", "aliases"))
    _count(file.key("domains"), len(entries), "domains", 1, 8)
    return tuple(Domain(e.ident("id"), e.text("label"), e.texts("aliases")) for e in entries)


def _markers(markers: Table, given: set[str]) -> Markers:
    default = IDREAM_MARKERS
    return Markers(
        levels=_categories(markers, "levels", default.levels, given, ("levels", 1, 5)),
        reviews=_categories(markers, "reviews", default.reviews, given, ("reviews", 1, 4)),
        achieved=_categories(
            markers, "achieved", default.achieved, given, ("achieved statuses", 1, None)
        ),
        not_achieved=_categories(markers, "not_achieved", default.not_achieved, given, None),
    )


def _survey(survey: Table, given: set[str]) -> Survey:
    default = IDREAM_SURVEY
    if "exclude_review_states" in survey:
        given.add(survey.key("exclude_review_states"))
    return Survey(
        cohort_column=survey.text("cohort_column")
        if "cohort_column" in survey
        else default.cohort_column,
        excluded=_categories(survey, "excluded", default.excluded, given, None),
        exclude_review_states=survey.texts("exclude_review_states", default.exclude_review_states),
        scales=_scales(survey, given) if "scales" in survey else default.scales,
        sections=_sections(survey, given) if "sections" in survey else default.sections,
    )


def _scales(survey: Table, given: set[str]) -> tuple[Scale, ...]:
    given.add(survey.key("scales"))
    entries = survey.tables("scales", ("id", "categories", "top"))
    _count(survey.key("scales"), len(entries), "scales", 1, None)
    scales = []
    for entry in entries:
        scale_id = entry.ident("id")
        if scale_id == ANY_SCALE:
            fail(
                entry.key("id"),
                "is kept for the excluded answers, which every scale takes",
                scale_id,
            )
        entry.required("categories")
        labels = entry.texts("categories")
        if not 2 <= len(labels) <= 7:
            fail(
                entry.key("categories"),
                f"{len(labels)} given; a scale has 2 to 7 categories",
                list(labels),
            )
        top = entry.integer("top", DEFAULT_TOP)
        if not 1 <= top < len(labels):
            fail(
                entry.key("top"),
                f"must be at least 1 and below the scale's {len(labels)} categories",
                top,
            )
        scales.append(Scale(scale_id, tuple(Category.named(label) for label in labels), top))
    return tuple(scales)


def _sections(survey: Table, given: set[str]) -> tuple[Section, ...]:
    given.add(survey.key("sections"))
    entries = survey.tables("sections", ("id", "label", "phrase"))
    _count(survey.key("sections"), len(entries), "sections", 1, None)
    return tuple(Section(e.ident("id"), e.text("label"), e.text("phrase")) for e in entries)


def _categories(
    table: Table,
    name: str,
    default: tuple[Category, ...],
    given: set[str],
    bounds: tuple[str, int, int | None] | None,
) -> tuple[Category, ...]:
    """A list of labels, each its own category coded by the label id rule; `bounds` is
    (noun, fewest, most) when the contract limits their number."""
    if name not in table:
        return default
    given.add(table.key(name))
    labels = table.texts(name)
    if bounds is not None:
        _count(table.key(name), len(labels), *bounds, shown=list(labels))
    return tuple(Category.named(label) for label in labels)


def _count(
    path: str, count: int, noun: str, low: int, high: int | None, shown: object = None
) -> None:
    if low <= count and (high is None or count <= high):
        return
    allowed = f"at least {low}" if high is None else f"{low} to {high}"
    problem = f"{count} given; a programme has {allowed} {noun}"
    if shown is None:
        fail(path, problem)
    fail(path, problem, shown)
