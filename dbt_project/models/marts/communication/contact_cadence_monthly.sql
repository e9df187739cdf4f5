-- How often and how we are in touch with each customer, month by month, and whether their
-- complaints were followed up within the agreed time. Period-incremental: a daily build
-- rebuilds the months from the earliest one new data can change (macros/period_incremental.sql).
{{ config(**period_incremental_config('month')) }}

with

account_months as (

    select * from {{ ref('int_accounts_monthly') }}
    where {{ in_rebuilt_periods('month') }}

),

activities as (

    select * from {{ ref('int_activities_classified') }}

),

complaints as (

    select * from {{ ref('int_complaints_timed') }}

),

activity_months as (

    select
        account_id,
        activity_month,
        count(*) as activities,
        sum(is_proactive) as proactive_activities,
        sum(is_without_deal) as activities_without_deal,
        max(activity_date) as last_activity_date

    from activities
    group by account_id, activity_month

),

-- the latest contact on or before the month's end, wherever in the history it fell
last_contact as (

    select
        account_months.account_id,
        account_months.month,
        max(activity_months.last_activity_date) as last_contact_date

    from account_months
    inner join activity_months
        on account_months.account_id = activity_months.account_id
        and activity_months.activity_month <= account_months.month
    group by account_months.account_id, account_months.month

),

complaint_months as (

    select
        account_id,
        opened_month,
        count(*) as complaints_opened,
        sum(is_followed_up_in_time) as complaints_followed_up_in_time

    from complaints
    group by account_id, opened_month

),

final as (

    select
        cast(account_months.account_id as {{ dbt.type_string() }}) as account_id,
        account_months.month,
        cast(account_months.segment as {{ dbt.type_string() }}) as segment,
        cast(coalesce(activity_months.activities, 0) as bigint) as activities,
        cast(coalesce(activity_months.proactive_activities, 0) as bigint) as proactive_activities,
        cast({{ share(
            'cast(activity_months.proactive_activities as double)', 'activity_months.activities'
        ) }}
            as double) as share_proactive,
        cast(coalesce(activity_months.activities_without_deal, 0) as bigint)
            as activities_without_deal,
        last_contact.last_contact_date,
        cast({{ dbt.datediff('last_contact.last_contact_date', 'account_months.month_end', 'day') }}
            as int) as days_since_last_contact,
        cast(coalesce(complaint_months.complaints_opened, 0) as bigint) as complaints_opened,
        cast(coalesce(complaint_months.complaints_followed_up_in_time, 0) as bigint)
            as complaints_followed_up_in_time,
        cast({{ share(
            'cast(complaint_months.complaints_followed_up_in_time as double)',
            'complaint_months.complaints_opened'
        ) }} as double) as share_complaints_followed_up_in_time

    from account_months
    left join activity_months
        on account_months.account_id = activity_months.account_id
        and account_months.month = activity_months.activity_month
    left join last_contact
        on account_months.account_id = last_contact.account_id
        and account_months.month = last_contact.month
    left join complaint_months
        on account_months.account_id = complaint_months.account_id
        and account_months.month = complaint_months.opened_month

)

select * from final
