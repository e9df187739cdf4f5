-- Invoiced revenue per account per month (months with at least one invoice line), the one sum
-- that revenue, spend trends, margins and CLV all reuse. Period-incremental: a daily build
-- rebuilds only the months new invoice lines can change (macros/period_incremental.sql).
{{ config(**period_incremental_config('month')) }}

with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_enriched') }}
    where {{ in_rebuilt_periods('invoice_month') }}

),

final as (

    select
        account_id,
        invoice_month as month,
        cast(sum(amount) as decimal(18, 2)) as invoiced_revenue,
        count(*) as invoice_lines

    from invoice_lines
    group by account_id, invoice_month

)

select * from final
