-- Promise keeping per month of due date, for every rep, every team and the company.
with

commitments as (

    select * from {{ ref('int_commitments_classified') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

-- promises due after the data end have no outcome yet; months outside the calendar are left out
due_in_calendar as (

    select commitments.*
    from commitments
    inner join months
        on commitments.due_month = months.month

),

{%- set rollups = [
    ('rep', 'team', 'rep_id'),
    ('team', 'team', "'all'"),
    ('overall', "'all'", "'all'"),
] %}
commitment_rollups as (
{% for level, team, rep in rollups %}
    select
        due_month as month,
        {{ team }} as team,
        {{ rep }} as rep_id,
        '{{ level }}' as rollup_level,
        is_kept_on_time,
        is_kept_late,
        is_broken,
        is_open_overdue,
        is_open_not_due,
        delivery_lag_days
    from due_in_calendar
    {% if not loop.last %}union all{% endif %}
{% endfor %}
),

counted as (

    select
        month,
        team,
        rep_id,
        rollup_level,
        count(*) as commitments_due,
        sum(is_kept_on_time) as kept_on_time,
        sum(is_kept_late) as kept_late,
        sum(is_broken) as broken,
        sum(is_open_overdue) as open_overdue,
        sum(is_open_not_due) as open_not_due,
        avg(delivery_lag_days) as mean_delivery_lag_days

    from commitment_rollups
    group by month, team, rep_id, rollup_level

),

final as (

    select
        month,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(rep_id as {{ dbt.type_string() }}) as rep_id,
        cast(rollup_level as {{ dbt.type_string() }}) as rollup_level,
        cast(commitments_due as bigint) as commitments_due,
        cast(kept_on_time as bigint) as kept_on_time,
        cast(kept_late as bigint) as kept_late,
        cast(broken as bigint) as broken,
        cast(open_overdue as bigint) as open_overdue,
        cast(open_not_due as bigint) as open_not_due,
        cast({{ promise_kept_rate('kept_on_time', 'kept_late', 'broken', 'open_overdue') }}
            as double) as promise_kept_rate,
        cast(mean_delivery_lag_days as double) as mean_delivery_lag_days

    from counted

)

select * from final
