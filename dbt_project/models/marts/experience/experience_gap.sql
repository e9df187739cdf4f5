-- What customers expected versus what they experienced at each touchpoint, month by month,
-- and whether the gap is closing.
with

responses as (

    select * from {{ ref('int_survey_responses_joined') }}
    where has_gap_scores

),

counted as (

    select
        response_month as month,
        journey_stage,
        touchpoint,
        count(*) as responses,
        sum(expectation_score) as expectation_total,
        sum(experience_score) as experience_total

    from responses
    group by response_month, journey_stage, touchpoint

),

scored as (

    select
        month,
        journey_stage,
        touchpoint,
        responses,
        {{ share('cast(expectation_total as double)', 'responses') }} as mean_expectation,
        {{ share('cast(experience_total as double)', 'responses') }} as mean_experience,
        {{ experience_gap('experience_total', 'expectation_total', 'responses') }}
            as experience_gap

    from counted

),

with_trend as (

    select
        scored.*,
        previous.experience_gap as previous_month_gap,
        earlier.experience_gap as gap_3_months_earlier

    from scored
    -- calendar offsets, not previous rows: a month without answers has no gap to compare
    left join scored as previous
        on scored.journey_stage = previous.journey_stage
        and scored.touchpoint = previous.touchpoint
        and scored.month = {{ experience_add_months('previous.month', 1) }}
    left join scored as earlier
        on scored.journey_stage = earlier.journey_stage
        and scored.touchpoint = earlier.touchpoint
        and scored.month = {{ experience_add_months('earlier.month', 3) }}

),

final as (

    select
        month,
        cast(journey_stage as {{ dbt.type_string() }}) as journey_stage,
        cast(touchpoint as {{ dbt.type_string() }}) as touchpoint,
        cast(responses as bigint) as responses,
        cast(mean_expectation as double) as mean_expectation,
        cast(mean_experience as double) as mean_experience,
        cast(experience_gap as double) as experience_gap,
        cast(previous_month_gap as double) as previous_month_gap,
        cast(experience_gap - previous_month_gap as double) as gap_change_vs_previous_month,
        cast(gap_3_months_earlier as double) as gap_3_months_earlier,
        cast(experience_gap - gap_3_months_earlier as double) as gap_change_vs_3_months_earlier

    from with_trend

)

select * from final
