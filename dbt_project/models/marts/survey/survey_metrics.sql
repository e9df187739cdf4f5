-- NPS, CES and CSAT per month for every segment x journey stage x touchpoint and its roll-ups,
-- with last month's NPS and whether the move is beyond the noise of the two samples.
with

responses as (

    select * from {{ ref('int_survey_responses_joined') }}

),

-- each response once per roll-up it counts in ('all' = the dimension is rolled up); union all
-- rather than grouping sets keeps the SQL portable and the roll-up list explicit
{%- set rollups = [
    ('segment_stage_touchpoint', 'segment', 'journey_stage', 'touchpoint'),
    ('stage_touchpoint', "'all'", 'journey_stage', 'touchpoint'),
    ('segment', 'segment', "'all'", "'all'"),
    ('stage', "'all'", 'journey_stage', "'all'"),
    ('touchpoint', "'all'", "'all'", 'touchpoint'),
    ('overall', "'all'", "'all'", "'all'"),
] %}
response_rollups as (
{% for level, segment, stage, touchpoint in rollups %}
    select
        response_month as month,
        {{ segment }} as segment,
        {{ stage }} as journey_stage,
        {{ touchpoint }} as touchpoint,
        '{{ level }}' as rollup_level,
        nps_score,
        nps_category,
        ces_score,
        is_ces_agree,
        csat_score,
        is_csat_satisfied
    from responses
    {% if not loop.last %}union all{% endif %}
{% endfor %}
),

counted as (

    select
        month,
        segment,
        journey_stage,
        touchpoint,
        rollup_level,
        count(*) as responses,
        count(nps_score) as nps_responses,
        sum(case when nps_category = 'promoter' then 1 else 0 end) as promoters,
        sum(case when nps_category = 'passive' then 1 else 0 end) as passives,
        sum(case when nps_category = 'detractor' then 1 else 0 end) as detractors,
        count(ces_score) as ces_responses,
        coalesce(sum(is_ces_agree), 0) as ces_agreeing,
        coalesce(sum(ces_score), 0) as ces_score_total,
        count(csat_score) as csat_responses,
        coalesce(sum(is_csat_satisfied), 0) as csat_satisfied

    from response_rollups
    group by month, segment, journey_stage, touchpoint, rollup_level

),

scored as (

    select
        counted.*,
        -- doubles in, so Spark does not round the decimal quotients to six digits
        {{ nps('cast(promoters as double)', 'cast(detractors as double)', 'nps_responses') }}
            as nps,
        {{ nps_margin_of_error(
            'cast(promoters as double)', 'cast(detractors as double)', 'nps_responses'
        ) }} as nps_margin_of_error,
        {{ ces_agree_share('ces_agreeing', 'ces_responses') }} as ces_agree_share,
        {{ ces_mean('ces_score_total', 'ces_responses') }} as ces_mean,
        {{ csat_share('csat_satisfied', 'csat_responses') }} as csat_share

    from counted

),

with_previous as (

    select
        scored.*,
        previous.nps as previous_month_nps,
        previous.nps_margin_of_error as previous_month_nps_margin_of_error

    from scored
    -- the calendar month before, not the previous row: a month without responses has no NPS
    left join scored as previous
        on scored.segment = previous.segment
        and scored.journey_stage = previous.journey_stage
        and scored.touchpoint = previous.touchpoint
        and scored.month = {{ experience_add_months('previous.month', 1) }}

),

final as (

    select
        month,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(journey_stage as {{ dbt.type_string() }}) as journey_stage,
        cast(touchpoint as {{ dbt.type_string() }}) as touchpoint,
        cast(rollup_level as {{ dbt.type_string() }}) as rollup_level,
        cast(responses as bigint) as responses,
        cast(nps_responses as bigint) as nps_responses,
        cast(promoters as bigint) as promoters,
        cast(passives as bigint) as passives,
        cast(detractors as bigint) as detractors,
        cast(nps as double) as nps,
        cast(nps_margin_of_error as double) as nps_margin_of_error,
        cast(ces_responses as bigint) as ces_responses,
        cast(ces_agreeing as bigint) as ces_agreeing,
        cast(ces_agree_share as double) as ces_agree_share,
        cast(ces_mean as double) as ces_mean,
        cast(csat_responses as bigint) as csat_responses,
        cast(csat_satisfied as bigint) as csat_satisfied,
        cast(csat_share as double) as csat_share,
        cast(previous_month_nps as double) as previous_month_nps,
        cast(previous_month_nps_margin_of_error as double) as previous_month_nps_margin_of_error,
        {{ nps_change_is_significant(
            'nps', 'nps_margin_of_error', 'previous_month_nps', 'previous_month_nps_margin_of_error'
        ) }} as nps_change_is_significant

    from with_previous

)

select * from final
