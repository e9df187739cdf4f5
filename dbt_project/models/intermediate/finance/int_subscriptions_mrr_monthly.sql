-- Contracted MRR per account on the first day of each month (the basis of GRR and NRR).
-- A term counts on a day when it has started and not yet ended; a multi-year contract counts
-- every month of its term. Period-incremental (macros/period_incremental.sql): a changed
-- subscriptions file rebuilds every month; otherwise only months the calendar gained.
{{ config(**period_incremental_config('month')) }}
with

subscriptions as (

    select * from {{ ref('stg_finance__subscriptions') }}

),

months as (

    select month from {{ ref('int_months_spined') }}
    where {{ in_rebuilt_periods('month') }}

),

final as (

    select
        subscriptions.account_id,
        months.month,
        cast(sum(subscriptions.mrr) as decimal(18, 2)) as mrr

    from months
    inner join subscriptions
        on subscriptions.start_date <= months.month
        and (subscriptions.end_date is null or subscriptions.end_date >= months.month)
    group by subscriptions.account_id, months.month

)

select * from final
