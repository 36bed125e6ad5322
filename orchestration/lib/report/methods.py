"""The methods section, generated from the settings, the contract's counting rules and the
run's own figures, so that it cannot drift from what the pipeline did."""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.lib.brief import BriefTables
from orchestration.lib.report.quality_status import REPORT_LINK, QualityStatus
from orchestration.lib.report.text import listed


@dataclass(frozen=True)
class MethodsSection:
    title: str
    paragraphs: tuple[str, ...]
    # (text, relative href) of a link that closes the section.
    link: tuple[str, str] | None = None


def suppressed_count(tables: BriefTables) -> int:
    frames = (tables.success_markers, tables.survey_items, tables.survey_sections)
    return sum(
        int(frame[column].sum())
        for frame in frames
        for column in frame.columns
        if column.endswith("_suppressed")
    )


def methods(tables: BriefTables, quality: QualityStatus) -> list[MethodsSection]:
    k = tables.min_cell_size
    cohorts = listed([str(c) for c in tables.surveyed_cohorts])
    withheld = suppressed_count(tables)
    return [
        MethodsSection(
            "Counting rules",
            (
                "A success marker is achieved when its status is “Achieved” at the mid-point "
                "or at the final review. A participant achieved a domain when at least one of "
                "its markers in that domain is achieved; “Across all three domains” counts "
                "the participants who achieved at least one marker in any domain.",
                "A survey item's rate is the share of its valid answers in the top two "
                "categories (“More confident” or “Much more confident”; “Agree” or "
                "“Strongly agree”).",
            ),
        ),
        MethodsSection(
            "Denominators",
            (
                "Every participant rate is out of the cohort's roster (N): a participant with "
                "no outcome in a domain counts as not having achieved it.",
                "Every survey item is out of its valid answers (n): “Not applicable”, "
                "“Don't know” and skipped items are left out. Respondents are distinct "
                f"responses ({tables.respondents}, from Cohorts {cohorts}); a response "
                "submitted twice counts once, with its latest answers.",
            ),
        ),
        MethodsSection(
            "What “average” means",
            (
                "A section's average is the mean of its items' rates, each item weighing the "
                "same whatever its n, taken over unrounded rates. Percentages are whole "
                "numbers rounded half up (62.5% reads 63%), only at publication.",
                "The averages carry no interval: every item is answered by the same "
                "respondents, so the items are not independent samples; the items' own "
                "intervals show the uncertainty.",
            ),
        ),
        MethodsSection(
            "Uncertainty",
            (
                "Every rate is shown as k/n and a percentage with its 95% Wilson score "
                "interval (in percent, one decimal). With cohorts of ten, an observed 10/10 "
                "is compatible with a true rate as low as 72.2%: read differences between "
                "cohorts against the width of their intervals.",
            ),
        ),
        MethodsSection(
            "Small cells",
            (
                f"A rate whose denominator is below {k} (but not zero) is not published: its "
                "count, percentage and interval read “suppressed”. So that it cannot be "
                "worked out from a total and the other cells, a cohort's row is suppressed "
                "whole, with the next smallest cohort, and with the total too if the "
                "suppressed cells could still only hold one value. A survey item's answer "
                "counts go with its rate. A section's average is suppressed "
                f"when any of its items is, or when fewer than {k} people responded.",
                f"Minimum cell size k = {k}. Cells suppressed in this brief: {withheld}.",
            ),
        ),
        MethodsSection(
            "Interpreting the evidence",
            (
                "Without a control comparison group it is difficult to determine the precise "
                "contribution of IDREAM towards the reported outcomes; other factors may have "
                "played a part.",
                "Success markers and survey answers are self-reported: response bias, such as "
                "the tendency to report positive results and change, may inflate them. The "
                "survey was anonymous to reduce this bias.",
                "Participants set their own outcomes and markers, so their ambition differs "
                f"between participants; the survey was run in Cohorts {cohorts} only.",
            ),
        ),
        MethodsSection(
            "Data quality",
            (quality.sentence(), *quality.warnings),
            link=("The data-quality report of this run", REPORT_LINK),
        ),
    ]
