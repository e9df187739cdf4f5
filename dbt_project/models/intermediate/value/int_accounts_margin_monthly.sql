-- Revenue, cost to serve and retention spend per account per month (months with any of them):
-- the money side of CLV and of the retention-economics scenario.
with

revenue as (

    select * from {{ ref('int_accounts_revenue_summed') }}

),

cost_to_serve as (

    select * from {{ ref('stg_finance__cost_to_serve') }}

),

incentives as (

    select * from {{ ref('stg_finance__incentives') }}

),

amounts as (

    select
        account_id,
        month,
        invoiced_revenue,
        0 as cost_to_serve,
        0 as retention_cost_to_serve,
        0 as incentives_granted
    from revenue

    union all

    select
        account_id,
        cast({{ dbt.date_trunc('month', 'month') }} as date) as month,
        0 as invoiced_revenue,
        amount as cost_to_serve,
        case when cost_type = 'retention' then amount else 0 end as retention_cost_to_serve,
        0 as incentives_granted
    from cost_to_serve

    union all

    select
        account_id,
        cast({{ dbt.date_trunc('month', 'granted_date') }} as date) as month,
        0 as invoiced_revenue,
        0 as cost_to_serve,
        0 as retention_cost_to_serve,
        amount as incentives_granted
    from incentives

),

final as (

    select
        account_id,
        month,
        cast(sum(invoiced_revenue) as decimal(18, 2)) as invoiced_revenue,
        cast(sum(cost_to_serve) as decimal(18, 2)) as cost_to_serve,
        cast(sum(retention_cost_to_serve) as decimal(18, 2)) as retention_cost_to_serve,
        cast(sum(incentives_granted) as decimal(18, 2)) as incentives_granted

    from amounts
    group by account_id, month

)

select * from final
