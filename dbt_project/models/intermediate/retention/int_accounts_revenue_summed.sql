-- Invoiced revenue per account per month (months with at least one invoice line), the one sum
-- that revenue, spend trends, margins and CLV all reuse.
with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_enriched') }}

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
