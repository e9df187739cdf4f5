-- Did the completed actions move their KPI? Each completed action's KPI in the months before
-- and after the month it was completed, for the segment it targeted.
with

actions as (

    select * from {{ ref('improvement_actions') }}
    where status = 'completed'

),

scorecard as (

    select * from {{ ref('kpi_scorecard') }}

),

windows as (

    select
        actions.action_id,
        actions.kpi,
        actions.segment,
        cast({{ dbt.date_trunc('month', 'actions.completed_date') }} as date) as completed_month,
        scorecard.month,
        scorecard.value,
        scorecard.direction,
        {{ dbt.datediff(
            dbt.date_trunc('month', 'actions.completed_date'), 'scorecard.month', 'month'
        ) }} as months_from_completion

    from actions
    inner join scorecard
        on actions.kpi = scorecard.kpi
        and actions.segment = scorecard.segment

),

summarised as (

    select
        action_id,
        kpi,
        segment,
        completed_month,
        max(direction) as direction,
        avg(case when months_from_completion between -{{ impact_window_months() }} and -1
            then value end) as value_before,
        avg(case when months_from_completion between 1 and {{ impact_window_months() }}
            then value end) as value_after,
        sum(case when months_from_completion between -{{ impact_window_months() }} and -1
            then 1 else 0 end) as months_before,
        sum(case when months_from_completion between 1 and {{ impact_window_months() }}
            then 1 else 0 end) as months_after

    from windows
    group by action_id, kpi, segment, completed_month

),

final as (

    select
        action_id,
        kpi,
        segment,
        completed_month,
        cast(value_before as double) as value_before,
        cast(value_after as double) as value_after,
        cast(value_after - value_before as double) as change,
        cast({{ kpi_trend('value_after - value_before', 'direction') }}
            as {{ dbt.type_string() }}) as effect,
        cast(months_before as bigint) as months_before,
        cast(months_after as bigint) as months_after

    from summarised

)

select * from final
