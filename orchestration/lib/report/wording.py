"""The brief's words for the programme's things, taken from its definition: the title, the
domains' column titles, the participants' nouns, the answers' labels, what a top-box answer
is called and the survey chart's panel titles. IDREAM's own wording is data on its default
definition (`Scale.answered`, `Section.chart_title`); any other programme's is built from
its labels here."""

from __future__ import annotations

from collections.abc import Iterable

from orchestration.lib.brief import ANY_DOMAIN, SKIPPED, domains
from orchestration.lib.programme_definition import ProgrammeDefinition, Scale, Section

NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
# dim_cohorts' participant type of a cohort whose roster mixes types.
MIXED = "mixed"
# What a cohort or total of unknown or mixed types is made of.
PARTICIPANTS = "participants"


def number_word(number: int) -> str:
    return NUMBER_WORDS[number] if 0 <= number < len(NUMBER_WORDS) else str(number)


def listed(values: Iterable[str], conjunction: str = "and") -> str:
    """["2", "3", "4"] -> "2, 3, and 4"; two values are joined by the conjunction alone."""
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    last = f", {conjunction} " if len(values) > 2 else f" {conjunction} "
    return ", ".join(values[:-1]) + last + values[-1]


def quoted(labels: Iterable[str], conjunction: str = "or") -> str:
    """["Agree", "Strongly agree"] -> “Agree” or “Strongly agree”."""
    return listed((f"“{label}”" for label in labels), conjunction)


def across(count: int, singular: str, plural: str) -> str:
    """Across all four cohorts; one or two read as people say them."""
    if count == 1:
        return f"Across the one {singular}"
    if count == 2:
        return f"Across both {plural}"
    return f"Across all {number_word(count)} {plural}"


def brief_title(definition: ProgrammeDefinition) -> str:
    return f"{definition.name} evidence brief: key findings"


def domain_titles(definition: ProgrammeDefinition) -> dict[str, str]:
    """Domain id -> its column title, in the brief's order, "any domain" last."""
    labels = {domain.id: domain.label for domain in definition.domains}
    labels[ANY_DOMAIN] = across(len(definition.domains), "domain", "domains")
    return {domain: labels[domain] for domain in domains(definition)}


def participant_noun(definition: ProgrammeDefinition, participant_type: str | None, n: int) -> str:
    """The noun of a cohort's participants: its type's plural (singular for one person);
    "participants" for a mixed cohort or the total, whose type is not one."""
    for kind in definition.participant_types:
        if kind.id == participant_type:
            return kind.label if n == 1 else kind.plural
    return PARTICIPANTS


def participants_present(definition: ProgrammeDefinition, types: Iterable[str]) -> str:
    """The plural nouns of the types on the roster, in the definition's order:
    "individuals and organizations"."""
    present = set(types)
    nouns = [kind.plural for kind in definition.participant_types if kind.id in present]
    return listed(nouns) or PARTICIPANTS


def top_box(scale: Scale) -> tuple[str, ...]:
    """The labels of the scale's top box, lowest first."""
    return tuple(category.label for category in scale.categories[-scale.top :])


def answered(scale: Scale) -> str:
    """How the brief says a respondent gave a top-box answer on `scale`, as in "an average
    of 88% of respondents <answered>"."""
    return scale.answered or f"answered {quoted(top_box(scale))}"


def top_box_rule(scale: Scale) -> str:
    """For the methods: the top box of the confidence scale is its 2 highest categories:
    More confident, Much more confident."""
    labels = ", ".join(top_box(scale))
    if scale.top == 1:
        return f"the top box of the {scale.id} scale is its highest category: {labels}"
    return f"the top box of the {scale.id} scale is its {scale.top} highest categories: {labels}"


def chart_title(section: Section) -> str:
    return section.chart_title or section.label


def section_label(definition: ProgrammeDefinition, section_id: str) -> str:
    return next((s.label for s in definition.survey.sections if s.id == section_id), section_id)


def scales_by_id(definition: ProgrammeDefinition) -> dict[str, Scale]:
    return {scale.id: scale for scale in definition.survey.scales}


def answer_labels(definition: ProgrammeDefinition) -> dict[str, str]:
    """`<answer>` of each `<answer>_n` column of the survey items -> the answer's label:
    every scale's categories, then the excluded answers, then the skipped."""
    labels: dict[str, str] = {}
    for scale in definition.survey.scales:
        for category in scale.categories:
            labels.setdefault(category.id, category.label)
    for category in definition.survey.excluded:
        labels.setdefault(category.id, category.label)
    labels[SKIPPED] = SKIPPED.capitalize()
    return labels
