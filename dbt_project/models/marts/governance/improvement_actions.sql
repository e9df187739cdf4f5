-- The improvement-actions register as it stands, with how long each action has been open and
-- whether it is overdue.
with

actions as (

    select * from {{ ref('stg_governance__improvement_actions') }}

),

versions as (

    select * from {{ ref('stg_governance__improvement_action_versions') }}

),

calendar as (

    select max(month_end) as as_of_date from {{ ref('int_months_spined') }}

),

completed as (

    select action_id, min(status_changed_date) as completed_date
    from versions
    where status = 'completed'
    group by action_id

),

changes as (

    select action_id, count(distinct status) as statuses_seen
    from versions
    group by action_id

),

final as (

    select
        actions.action_id,
        actions.action_title,
        actions.kpi,
        actions.segment,
        actions.owner,
        actions.team,
        actions.raised_date,
        actions.due_date,
        actions.status,
        actions.status_changed_date,
        completed.completed_date,
        cast({{ dbt.datediff(
            'actions.raised_date',
            "coalesce(completed.completed_date, case when actions.status = 'cancelled' then actions.status_changed_date end, calendar.as_of_date)",
            'day'
        ) }} as bigint) as days_open,
        actions.status not in ('completed', 'cancelled')
            and actions.due_date < calendar.as_of_date as is_overdue,
        cast(coalesce(changes.statuses_seen, 1) as bigint) as statuses_seen,
        calendar.as_of_date

    from actions
    cross join calendar
    left join completed on actions.action_id = completed.action_id
    left join changes on actions.action_id = changes.action_id

)

select * from final
