-- Invoice lines with the months they fall in: the revenue fact every revenue, spend-trend and
-- late-payment measure builds on. Incremental because it is the largest finance table: a run
-- only re-reads lines delivered in batches newer than the ones already in the table; a
-- re-delivered line replaces its earlier version (delete+insert on invoice_line_id).
-- A corrected re-delivery of the invoices file replaces its earlier batch in raw, and lines
-- missing from the correction disappear from staging; the post-hook drops them here too, since
-- no newer row would ever overwrite them.
-- On Spark the tables are plain Parquet, which has neither row deletes nor merge (dbt-spark has
-- no delete+insert), so there the model is rebuilt in full each run.
-- Rebuild from scratch with `dbt build --full-refresh --select int_invoice_lines_enriched`.
{%- set on_spark = target.type == 'spark' %}
{{
    config(
        materialized='table' if on_spark else 'incremental',
        unique_key='invoice_line_id',
        incremental_strategy=none if on_spark else 'delete+insert',
        on_schema_change='fail',
        post_hook=[] if on_spark else [
            "delete from {{ this }} where invoice_line_id not in "
            ~ "(select invoice_line_id from {{ ref('stg_finance__invoices') }})"
        ],
    )
}}

with

invoice_lines as (

    select * from {{ ref('stg_finance__invoices') }}
    {% if is_incremental() %}
    -- coalesce: an empty table (no invoices on the first run) must not block later loads
    where batch_id > (select coalesce(max(batch_id), -1) from {{ this }})
    {% endif %}

),

final as (

    select
        invoice_line_id,
        invoice_id,
        account_id,
        invoice_date,
        cast({{ dbt.date_trunc('month', 'invoice_date') }} as date) as invoice_month,
        due_date,
        cast({{ dbt.date_trunc('month', 'due_date') }} as date) as due_month,
        product,
        cast(amount as decimal(18, 2)) as amount,
        currency,
        batch_id

    from invoice_lines

)

select * from final
