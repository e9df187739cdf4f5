-- Invoiced revenue and contracted MRR per account per month. Period-incremental: a daily build
-- rebuilds the months new data can change (macros/period_incremental.sql).
{{ config(**period_incremental_config('month')) }}

with

account_months as (

    select * from {{ ref('int_accounts_monthly') }}
    where {{ in_rebuilt_periods('month') }}

),

revenue as (

    select * from {{ ref('int_accounts_revenue_summed') }}
    where {{ in_rebuilt_periods('month') }}

),

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

combined as (

    -- an invoice can in principle fall outside the months an account was a customer (a final
    -- bill after leaving); keep those months too so revenue adds up to the invoices
    select
        coalesce(account_months.account_id, revenue.account_id) as account_id,
        coalesce(account_months.month, revenue.month) as month,
        coalesce(account_months.is_customer_at_start, false) as is_customer_at_start,
        coalesce(account_months.is_new_in_month, false) as is_new_in_month,
        coalesce(account_months.churned_in_month, false) as churned_in_month,
        coalesce(revenue.invoiced_revenue, 0) as invoiced_revenue,
        coalesce(revenue.invoice_lines, 0) as invoice_lines,
        coalesce(account_months.mrr_at_start, 0) as mrr_at_start

    from account_months
    full outer join revenue
        on account_months.account_id = revenue.account_id
        and account_months.month = revenue.month

),

final as (

    select
        combined.account_id,
        combined.month,
        lifecycle.segment,
        lifecycle.region,
        combined.is_customer_at_start,
        combined.is_new_in_month,
        combined.churned_in_month,
        cast(combined.invoiced_revenue as decimal(18, 2)) as invoiced_revenue,
        cast(combined.invoice_lines as bigint) as invoice_lines,
        cast(combined.mrr_at_start as decimal(18, 2)) as mrr_at_start

    from combined
    inner join lifecycle
        on combined.account_id = lifecycle.account_id

)

select * from final
