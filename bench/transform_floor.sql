-- The dbt project's transformations written by hand for a bare DuckDB connection: the floor
-- that `dbt build` is measured against. Same inputs (the landed `raw` tables, already in the
-- definition's codes, and the `reference` tables landed from the definition), same outputs
-- (the `marts` tables, compared with the pipeline's by the bench), no dbt, no tests, no
-- Dagster. DuckDB-only where it is faster (create or replace, qualify, group by all).

create schema if not exists floor;

create or replace table floor.latest_responses as
select response_id, cohort, source_file, source_row
from raw.survey_responses
qualify row_number() over (
    partition by response_id order by submitted_at desc, source_file desc, source_row desc
) = 1;

create or replace table floor.fct_success_markers as
with achieved as (
    select distinct s.source_file, s.source_sheet, s.source_row
    from raw.success_marker_statuses s
    join reference.marker_statuses st on st.status = s.status
    where st.is_achieved
)
select
    m.participant_key, p.cohort, p.participant_type, m.domain, m.outcome_no, m.level,
    a.source_row is not null as is_achieved
from raw.success_markers m
join raw.participants p using (participant_key)
left join achieved a
    on a.source_file = m.source_file and a.source_sheet = m.source_sheet
    and a.source_row = m.source_row;

create or replace table floor.fct_participant_domains as
with by_domain as (
    select participant_key, domain, count(*) filter (where is_achieved) as achieved
    from floor.fct_success_markers
    group by all
)
select
    p.participant_key, p.cohort, p.participant_type, d.domain,
    coalesce(b.achieved, 0) > 0 as has_achieved
from raw.participants p
cross join reference.domains d
left join by_domain b on b.participant_key = p.participant_key and b.domain = d.domain;

create or replace table floor.mart_domain_rates as
with outcomes as (
    select participant_key, cohort, domain, has_achieved from floor.fct_participant_domains
    union all
    select participant_key, cohort, 'any_domain', bool_or(has_achieved)
    from floor.fct_participant_domains
    group by participant_key, cohort
)
select
    coalesce(cast(cohort as varchar), 'all') as cohort,
    domain,
    count(*) as participants,
    count(*) filter (where has_achieved) as achieved_n
from outcomes
group by grouping sets ((cohort, domain), (domain));

create or replace table floor.fct_survey_answers as
select
    a.response_id, r.cohort, a.item_id, i.section, a.answer,
    coalesce(c.is_valid, false) as is_valid, coalesce(c.is_top_box, false) as is_top_box
from raw.survey_answers a
join floor.latest_responses r on a.source_file = r.source_file and a.source_row = r.source_row
join raw.survey_codebook i on a.item_id = i.item_id
left join reference.survey_answer_categories c
    on c.answer = a.answer and c.scale in (i.scale, 'any');

create or replace table floor.mart_survey_item_rates as
select
    item_id,
    count(*) filter (where is_valid) as valid_n,
    count(*) filter (where is_top_box) as top_box_n,
    count(*) filter (where is_top_box) / nullif(count(*) filter (where is_valid), 0)
        as top_box_rate,
    count(*) filter (where answer is null) as skipped_n
from floor.fct_survey_answers
group by item_id;

create or replace table floor.mart_survey_section_rates as
with respondents as (
    select section, count(distinct response_id) as respondents
    from floor.fct_survey_answers
    where is_valid
    group by section
)
select
    i.section, avg(r.top_box_rate) as mean_top_box_rate,
    any_value(s.respondents) as respondents
from floor.mart_survey_item_rates r
join raw.survey_codebook i using (item_id)
left join respondents s using (section)
group by i.section;
