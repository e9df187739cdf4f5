-- The register's history: every status each action has had, and for how long.
with

versions as (

    select * from {{ ref('stg_governance__improvement_action_versions') }}

),

calendar as (

    select max(month_end) as as_of_date from {{ ref('int_months_spined') }}

),

statuses as (

    -- one row per action per status change (owner/team/due edits within a status collapse)
    select
        action_id,
        status,
        status_changed_date,
        max(owner) as owner,
        max(team) as team,
        max(due_date) as due_date
    from versions
    group by action_id, status, status_changed_date

),

sequenced as (

    select
        *,
        lead(status_changed_date) over (
            partition by action_id order by status_changed_date, status
        ) as next_changed_date,
        row_number() over (
            partition by action_id order by status_changed_date, status
        ) as status_sequence

    from statuses

),

final as (

    select
        sequenced.action_id,
        cast(sequenced.status_sequence as bigint) as status_sequence,
        sequenced.status,
        sequenced.status_changed_date as valid_from,
        sequenced.next_changed_date as valid_to,
        sequenced.next_changed_date is null as is_current,
        cast({{ dbt.datediff(
            'sequenced.status_changed_date',
            'coalesce(sequenced.next_changed_date, calendar.as_of_date)',
            'day'
        ) }} as bigint) as days_in_status,
        sequenced.owner,
        sequenced.team,
        sequenced.due_date

    from sequenced
    cross join calendar

)

select * from final
