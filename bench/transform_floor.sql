-- The dbt project's transformations written by hand for a bare DuckDB connection: the floor
-- that `dbt build` is measured against. Same inputs (the landed `raw` tables and the two
-- seeds), same outputs (the `marts` tables, compared with the pipeline's by the bench), no
-- dbt, no tests, no Dagster. DuckDB-only where it is faster (create or replace, macros).

create or replace macro label_key(x) as trim(regexp_replace(lower(x), '[-_ ]+', ' ', 'g'));

create schema if not exists floor;

create or replace table floor.participants as
select r.participant_key, r.cohort, t.value as participant_type
from raw.participants r
left join reference.label_dictionary t
    on t.field = 'participant_type' and t.label_key = label_key(r.participant_type);

create or replace table floor.markers as
select
    m.participant_key, d.value as domain, m.outcome_no, l.value as level,
    ms.value as midpoint_status, fs.value as final_status,
    m.source_file, m.source_sheet, m.source_row
from raw.success_markers m
left join reference.label_dictionary d
    on d.field = 'domain' and d.label_key = label_key(m.domain)
left join reference.label_dictionary l
    on l.field = 'level' and l.label_key = label_key(m.level)
left join reference.label_dictionary ms
    on ms.field = 'status' and ms.label_key = label_key(m.midpoint_status)
left join reference.label_dictionary fs
    on fs.field = 'status' and fs.label_key = label_key(m.final_status);

create or replace table floor.items as
select c.item_id, s.value as section, c.statement, sc.value as scale, c.item_order
from raw.survey_codebook c
left join reference.label_dictionary s
    on s.field = 'section' and s.label_key = label_key(c.section)
left join reference.label_dictionary sc
    on sc.field = 'scale' and sc.label_key = label_key(c.scale);

create or replace table floor.latest_responses as
select response_id, cohort, source_file, source_row
from raw.survey_responses
qualify row_number() over (
    partition by response_id order by submitted_at desc, source_file desc, source_row desc
) = 1;

create or replace table floor.fct_success_markers as
select
    m.participant_key, p.cohort, p.participant_type, m.domain, m.outcome_no, m.level,
    m.midpoint_status, m.final_status,
    coalesce(m.midpoint_status = 'achieved', false)
        or coalesce(m.final_status = 'achieved', false) as is_achieved
from floor.markers m
join floor.participants p using (participant_key);

create or replace table floor.fct_participant_domains as
with domains as (
    select distinct value as domain from reference.label_dictionary where field = 'domain'
),
by_domain as (
    select participant_key, domain, count(*) filter (where is_achieved) as achieved
    from floor.fct_success_markers
    group by all
)
select
    p.participant_key, p.cohort, p.participant_type, d.domain,
    coalesce(b.achieved, 0) > 0 as has_achieved
from floor.participants p
cross join domains d
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
    a.response_id, r.cohort, a.item_id, i.section, v.value as answer,
    coalesce(c.is_valid, false) as is_valid, coalesce(c.is_top2, false) as is_top2
from raw.survey_answers a
join floor.latest_responses r on a.source_file = r.source_file and a.source_row = r.source_row
join floor.items i on a.item_id = i.item_id
left join reference.label_dictionary v
    on v.field = 'answer' and v.label_key = label_key(a.answer)
left join reference.survey_answer_categories c on c.answer = v.value;

create or replace table floor.mart_survey_item_rates as
select
    item_id,
    count(*) filter (where is_valid) as valid_n,
    count(*) filter (where is_top2) as top2_n,
    count(*) filter (where is_top2) / nullif(count(*) filter (where is_valid), 0) as top2_rate,
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
select i.section, avg(r.top2_rate) as mean_top2_rate, any_value(s.respondents) as respondents
from floor.mart_survey_item_rates r
join floor.items i using (item_id)
left join respondents s using (section)
group by i.section;
