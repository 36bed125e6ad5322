"""The programme definition (raw-data contract v2): who takes part, in which domains, how
success markers are graded and reviewed, and how the survey is scored. Absent from
`programme.toml`, every part is IDREAM's, as contract v1 and its seeds defined it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# survey_answer_categories' scale of the excluded answers, which every scale accepts.
ANY_SCALE = "any"
# Letters and digits in any script; `_` is a separator in labels (Kobo's `don_t_know`).
_LETTERS_AND_DIGITS = re.compile(r"[^\W_]+")


def label_match_key(label: str) -> str:
    """The contract's label rule: letters and digits, ignoring case; every run of other
    characters is one space, leading and trailing ones ignored.

    `Don't know` (straight or curly apostrophe) and Kobo's `don_t_know` share a key;
    `dont_know` does not. Unlike `text.label_key` (and the dbt macro it mirrors),
    apostrophes, quotes and slashes separate words too.
    """
    return " ".join(_LETTERS_AND_DIGITS.findall(unicodedata.normalize("NFKC", label).lower()))


def label_id(label: str) -> str:
    """The code stored for a label: `Very ambitious` -> `very_ambitious`. Two labels that
    the label rule matches get the same code."""
    return label_match_key(label).replace(" ", "_")


@dataclass(frozen=True)
class Category:
    """A label the data may hold (a level, a review, a status, an answer) and its code.

    From `programme.toml` each label is its own category, coded by `label_id`. IDREAM's
    defaults also carry v1's synonyms (`Yes` is `achieved`), which the file cannot state.
    """

    id: str
    label: str
    aliases: tuple[str, ...] = ()

    @classmethod
    def named(cls, label: str) -> Category:
        return cls(label_id(label), label)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class ParticipantType:
    id: str
    label: str  # singular, as the brief says it
    plural: str
    aliases: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.id, self.label, self.plural, *self.aliases)


@dataclass(frozen=True)
class Domain:
    id: str
    label: str
    aliases: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.id, self.label, *self.aliases)


@dataclass(frozen=True)
class Markers:
    levels: tuple[Category, ...]  # lowest to highest
    reviews: tuple[Category, ...]  # in time order; workbook columns `<review id>_status`
    achieved: tuple[Category, ...]  # statuses that count as achieved
    not_achieved: tuple[Category, ...]  # valid statuses that do not

    @property
    def statuses(self) -> tuple[Category, ...]:
        return (*self.achieved, *self.not_achieved)


@dataclass(frozen=True)
class Scale:
    id: str
    categories: tuple[Category, ...]  # lowest to highest
    top: int  # how many of the highest categories are favourable
    # How the brief says a respondent gave a top-box answer ("rated themselves ..."); None:
    # worded from the categories' labels. The file cannot state it: IDREAM's own wording.
    # Not compared: a scale stated in the file equals the default it spells out.
    answered: str | None = field(default=None, compare=False)

    def is_top(self, position: int) -> bool:
        """`position` counts from 1, the lowest category."""
        return position > len(self.categories) - self.top


@dataclass(frozen=True)
class Section:
    id: str
    label: str
    phrase: str  # "Across 10 <phrase>, ..."
    # The title of the section's panel in the survey chart; None: its label. As `answered`.
    chart_title: str | None = field(default=None, compare=False)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.id, self.label)


@dataclass(frozen=True)
class Survey:
    cohort_column: str  # the export's column (name or label) holding the cohort
    excluded: tuple[Category, ...]  # valid answers left out of denominators
    exclude_review_states: tuple[str, ...]  # submissions a reviewer turned down
    scales: tuple[Scale, ...]
    sections: tuple[Section, ...]  # in the brief's order


@dataclass(frozen=True)
class ProgrammeDefinition:
    id: str
    name: str
    participant_types: tuple[ParticipantType, ...]
    domains: tuple[Domain, ...]  # in the brief's column order
    markers: Markers
    survey: Survey


IDREAM_NAME = "IDREAM"
IDREAM_PARTICIPANT_TYPES = (
    ParticipantType("individual", "individual", "individuals", ("Individual", "ind")),
    ParticipantType("organization", "organization", "organizations", ("Organisation", "org")),
)
IDREAM_DOMAINS = (
    Domain("resilience", "Resilience", ("Psychosocial Resilience",)),
    Domain("advocacy", "Advocacy", ("Effective Advocacy",)),
    Domain("integrated_security", "Integrated Security", ("Security",)),
)
# The synonyms and codes below are v1's seed `label_dictionary.csv`, which the marts and
# the brief read (`partially_achieved`, `dont_know`); the contract's example lists their
# labels only.
IDREAM_MARKERS = Markers(
    levels=tuple(Category.named(label) for label in ("Realistic", "Ambitious", "Very ambitious")),
    reviews=(Category("midpoint", "midpoint", ("mid point",)), Category.named("final")),
    achieved=(Category("achieved", "Achieved", ("Yes",)),),
    not_achieved=(
        Category.named("Partially achieved"),
        Category("not_achieved", "Not achieved", ("No",)),
    ),
)
# IDREAM's brief words its top boxes and chart panels in its own way (brief/, beside the
# contract); a programme stated in programme.toml gets wording built from its labels.
CONFIDENT = "rated themselves “more confident” or “much more confident”"
AGREED = "“agreed” or “strongly agreed”"
IDREAM_SCALES = (
    Scale(
        "confidence",
        tuple(
            Category.named(label)
            for label in (
                "Much less confident",
                "Less confident",
                "About the same",
                "More confident",
                "Much more confident",
            )
        ),
        top=2,
        answered=CONFIDENT,
    ),
    Scale(
        "agreement",
        tuple(
            Category.named(label)
            for label in (
                "Strongly disagree",
                "Disagree",
                "Neither agree nor disagree",
                "Agree",
                "Strongly agree",
            )
        ),
        top=2,
        answered=AGREED,
    ),
)
IDREAM_SECTIONS = (
    Section(
        "security",
        "Security",
        "security-related tasks",
        chart_title="Security-related tasks (confidence compared to before IDREAM)",
    ),
    Section(
        "advocacy",
        "Advocacy",
        "advocacy-related strategies",
        chart_title="Advocacy-related strategies (confidence compared to before IDREAM)",
    ),
    Section(
        "connection",
        "Connection",
        "items about building connection with other IDREAM participants",
        chart_title="Connection with other IDREAM participants (agreement)",
    ),
)
IDREAM_SURVEY = Survey(
    cohort_column="cohort",
    excluded=(
        Category("not_applicable", "Not applicable", ("N/A",)),
        Category("dont_know", "Don't know"),
    ),
    exclude_review_states=("rejected", "not approved"),
    scales=IDREAM_SCALES,
    sections=IDREAM_SECTIONS,
)


def idream_definition(programme_id: str = "idream") -> ProgrammeDefinition:
    """IDREAM as contract v1 defined it: the definition of a folder that states none."""
    return ProgrammeDefinition(
        id=programme_id,
        name=IDREAM_NAME,
        participant_types=IDREAM_PARTICIPANT_TYPES,
        domains=IDREAM_DOMAINS,
        markers=IDREAM_MARKERS,
        survey=IDREAM_SURVEY,
    )
