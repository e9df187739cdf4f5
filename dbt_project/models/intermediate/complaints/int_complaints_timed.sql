-- Every complaint with its handling times against the severity's targets, and whether we
-- followed it up with the customer within the agreed time.
with

cases as (

    select * from {{ ref('stg_crm__cases') }}
    where is_complaint

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

activities as (

    select * from {{ ref('int_activities_classified') }}
    where activity_type = 'complaint_follow_up'
        and case_id is not null

),

calendar as (

    -- handling still pending at midnight after the last day of data is judged against that
    select cast({{ experience_add_days('max(month_end)', 1) }} as timestamp) as as_of_ts
    from {{ ref('int_months_spined') }}

),

follow_ups as (

    select
        cases.case_id,
        min(activities.activity_date) as first_follow_up_date

    from cases
    inner join activities
        on cases.case_id = activities.case_id
        and activities.activity_date >= cast(cases.opened_at as date)
    group by cases.case_id

),

timed as (

    select
        cases.case_id,
        cases.account_id,
        accounts.segment,
        cases.opened_at,
        cast(cases.opened_at as date) as opened_date,
        cast({{ dbt.date_trunc('month', 'cases.opened_at') }} as date) as opened_month,
        cases.severity,
        cases.category,
        cases.first_response_at,
        cases.resolved_at,
        {{ complaint_hours_between('cases.opened_at', 'cases.first_response_at') }}
            as hours_to_first_response,
        {{ complaint_hours_between('cases.opened_at', 'cases.resolved_at') }}
            as hours_to_resolution,
        {{ complaint_target_hours('cases.severity', 'first_response') }}
            as first_response_target_hours,
        {{ complaint_target_hours('cases.severity', 'resolution') }} as resolution_target_hours,
        follow_ups.first_follow_up_date,
        calendar.as_of_ts

    from cases
    cross join calendar
    left join accounts
        on cases.account_id = accounts.account_id
    left join follow_ups
        on cases.case_id = follow_ups.case_id

),

final as (

    select
        timed.*,
        {{ complaint_within_target(
            'hours_to_first_response', 'first_response_target_hours', 'opened_at', 'as_of_ts'
        ) }} as is_first_response_within_target,
        {{ complaint_within_target(
            'hours_to_resolution', 'resolution_target_hours', 'opened_at', 'as_of_ts'
        ) }} as is_resolution_within_target,
        case when resolved_at is null then 1 else 0 end as is_open,
        case
            when first_follow_up_date
                <= {{ experience_add_days('opened_date', complaint_follow_up_days()) }} then 1
            else 0
        end as is_followed_up_in_time

    from timed

)

select * from final
