-- Where dealing with us is hardest right now: touchpoints over the latest months ranked by
-- effort (lowest mean CES) and then by how far experience falls short of expectation.
with

responses as (

    select * from {{ ref('int_survey_responses_joined') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

window_bounds as (

    select
        {{ experience_add_months(
            'max(month)', 1 - (experience_friction_window_months() | int)
        ) }} as window_start,
        max(month) as window_end
    from months

),

recent as (

    select responses.*
    from responses
    cross join window_bounds
    where responses.response_month >= window_bounds.window_start
        and responses.response_month <= window_bounds.window_end

),

counted as (

    select
        journey_stage,
        touchpoint,
        count(*) as responses,
        count(ces_score) as ces_responses,
        coalesce(sum(is_ces_agree), 0) as ces_agreeing,
        coalesce(sum(ces_score), 0) as ces_score_total,
        sum(case when has_gap_scores then 1 else 0 end) as gap_responses,
        sum(case when has_gap_scores then expectation_score end) as expectation_total,
        sum(case when has_gap_scores then experience_score end) as experience_total

    from recent
    group by journey_stage, touchpoint

),

scored as (

    select
        journey_stage,
        touchpoint,
        responses,
        ces_responses,
        {{ ces_mean('ces_score_total', 'ces_responses') }} as ces_mean,
        {{ ces_agree_share('ces_agreeing', 'ces_responses') }} as ces_agree_share,
        gap_responses,
        {{ experience_gap('experience_total', 'expectation_total', 'gap_responses') }}
            as experience_gap

    from counted

),

ranked as (

    select
        scored.*,
        row_number() over (
            order by ces_mean asc nulls last, experience_gap asc nulls last,
                journey_stage, touchpoint
        ) as friction_rank

    from scored

),

final as (

    select
        cast(ranked.journey_stage as {{ dbt.type_string() }}) as journey_stage,
        cast(ranked.touchpoint as {{ dbt.type_string() }}) as touchpoint,
        window_bounds.window_start,
        window_bounds.window_end,
        cast(ranked.responses as bigint) as responses,
        cast(ranked.ces_responses as bigint) as ces_responses,
        cast(ranked.ces_mean as double) as ces_mean,
        cast(ranked.ces_agree_share as double) as ces_agree_share,
        cast(ranked.gap_responses as bigint) as gap_responses,
        cast(ranked.experience_gap as double) as experience_gap,
        cast(ranked.friction_rank as int) as friction_rank,
        -- a touchpoint without CES answers cannot be judged on effort
        ranked.ces_mean is not null
            and ranked.friction_rank <= {{ experience_friction_point_count() }}
            as is_friction_point

    from ranked
    cross join window_bounds

)

select * from final
