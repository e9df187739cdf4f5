-- The KPI path around each completed action, month by month, for the before/after chart.
with

actions as (

    select * from {{ ref('improvement_actions') }}
    where status = 'completed'

),

scorecard as (

    select * from {{ ref('kpi_scorecard') }}

),

final as (

    select
        actions.action_id,
        actions.action_title,
        actions.kpi,
        actions.segment,
        scorecard.month,
        cast({{ dbt.datediff(
            dbt.date_trunc('month', 'actions.completed_date'), 'scorecard.month', 'month'
        ) }} as bigint) as months_from_completion,
        scorecard.value,
        scorecard.target

    from actions
    inner join scorecard
        on actions.kpi = scorecard.kpi
        and actions.segment = scorecard.segment

)

select * from final
