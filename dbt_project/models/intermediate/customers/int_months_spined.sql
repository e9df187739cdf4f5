-- The reporting calendar: every month from the first to the last month with invoiced revenue.
with

invoices as (

    select * from {{ ref('stg_finance__invoices') }}

),

bounds as (

    select
        cast({{ dbt.date_trunc('month', 'min(invoice_date)') }} as date) as first_month,
        cast({{ dbt.date_trunc('month', 'max(invoice_date)') }} as date) as last_month
    from invoices

),

months as (

    {{ month_series('(select first_month from bounds)', '(select last_month from bounds)') }}

),

final as (

    select
        month,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month')) }} as date) as month_end,
        cast({{ dbt.date_trunc('quarter', 'month') }} as date) as quarter,
        month = (select last_month from bounds) as is_latest_month
    from months

)

select * from final
