-- One row per account per calendar month in which it was a customer for at least one day,
-- with its state at the start of the month and its contracted MRR at the start of this and
-- the next month (the movement behind churn, GRR and NRR).
-- Period-incremental (macros/period_incremental.sql), looking back one month: a month's
-- "next month's MRR" changes when the calendar gains the month after it.
{%- set lookback = 1 %}
{{ config(**period_incremental_config('month', lookback_months=lookback)) }}

with

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

rebuilt_months as (

    select * from months
    where {{ in_rebuilt_periods('month', lookback_months=lookback) }}

),

mrr as (

    select * from {{ ref('int_subscriptions_mrr_monthly') }}

),

account_months as (

    select
        lifecycle.account_id,
        lifecycle.segment,
        lifecycle.region,
        lifecycle.cohort_month,
        months.month,
        months.month_end,
        -- a customer "at the start" joined before the month and had not left by its first day
        lifecycle.created_date < months.month
            and (lifecycle.churn_date is null or lifecycle.churn_date >= months.month)
            as is_customer_at_start,
        lifecycle.cohort_month = months.month as is_new_in_month,
        coalesce(lifecycle.churn_month = months.month, false) as churned_in_month,
        {{ dbt.datediff('lifecycle.cohort_month', 'months.month', 'month') }} as months_since_cohort

    from lifecycle
    inner join rebuilt_months as months
        on lifecycle.created_date <= months.month_end
        and (lifecycle.churn_date is null or lifecycle.churn_date >= months.month)

),

final as (

    select
        account_months.*,
        coalesce(mrr_start.mrr, 0) as mrr_at_start,
        -- next month's opening MRR; for the latest month this is not yet known
        case
            when account_months.month < (select max(month) from months)
                then coalesce(mrr_next.mrr, 0)
        end as mrr_at_next_start

    from account_months
    left join mrr as mrr_start
        on account_months.account_id = mrr_start.account_id
        and account_months.month = mrr_start.month
    left join mrr as mrr_next
        on account_months.account_id = mrr_next.account_id
        and mrr_next.month = cast({{ dbt.dateadd('month', 1, 'account_months.month') }} as date)

)

select * from final
