-- Every promise with its outcome as of the end of the data, the rep's team and the account's
-- segment: the one place a commitment's status is decided.
with

commitments as (

    select * from {{ ref('stg_crm__commitments') }}

),

reps as (

    select * from {{ ref('stg_crm__reps') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

calendar as (

    select max(month_end) as as_of_date
    from {{ ref('int_months_spined') }}

),

classified as (

    select
        commitments.commitment_id,
        commitments.account_id,
        accounts.segment,
        commitments.rep_id,
        -- a rep missing from the export should not make the promise disappear from the totals
        coalesce(reps.team, 'unknown') as team,
        commitments.opportunity_id,
        commitments.phase,
        commitments.category,
        commitments.description,
        commitments.made_date,
        commitments.due_date,
        cast({{ dbt.date_trunc('month', 'commitments.due_date') }} as date) as due_month,
        commitments.delivered_date,
        commitments.status as source_status,
        {{ promise_commitment_status(
            'commitments.status', 'commitments.due_date', 'commitments.delivered_date',
            'calendar.as_of_date'
        ) }} as commitment_status,
        case when commitments.delivered_date is not null
            then {{ promise_delivery_lag_days('commitments.due_date', 'commitments.delivered_date') }}
        end as delivery_lag_days,
        calendar.as_of_date

    from commitments
    cross join calendar
    left join reps
        on commitments.rep_id = reps.rep_id
    left join accounts
        on commitments.account_id = accounts.account_id

),

final as (

    select
        classified.*,
        case when commitment_status = 'kept_on_time' then 1 else 0 end as is_kept_on_time,
        case when commitment_status = 'kept_late' then 1 else 0 end as is_kept_late,
        case when commitment_status = 'broken' then 1 else 0 end as is_broken,
        case when commitment_status = 'open_overdue' then 1 else 0 end as is_open_overdue,
        case when commitment_status = 'open_not_due' then 1 else 0 end as is_open_not_due

    from classified

)

select * from final
