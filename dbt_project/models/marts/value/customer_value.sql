-- Historic value per customer: what it has paid, what it cost to serve, to win and to keep.
with

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

margins as (

    select * from {{ ref('int_accounts_margin_monthly') }}

),

acquisition_costs as (

    select * from {{ ref('stg_finance__acquisition_costs') }}

),

to_date as (

    select
        account_id,
        sum(invoiced_revenue) as invoiced_revenue,
        sum(cost_to_serve) as cost_to_serve,
        sum(retention_cost_to_serve) as retention_cost_to_serve,
        sum(incentives_granted) as incentives_granted

    from margins
    group by account_id

),

joined as (

    select
        lifecycle.account_id,
        lifecycle.segment,
        lifecycle.acquisition_channel,
        lifecycle.cohort_month,
        lifecycle.is_active,
        lifecycle.tenure_months,
        coalesce(to_date.invoiced_revenue, 0) as invoiced_revenue,
        coalesce(to_date.cost_to_serve, 0) as cost_to_serve,
        coalesce(to_date.retention_cost_to_serve, 0) as retention_cost_to_serve,
        coalesce(to_date.incentives_granted, 0) as incentives_granted,
        acquisition_costs.amount as acquisition_cost

    from lifecycle
    left join to_date
        on lifecycle.account_id = to_date.account_id
    left join acquisition_costs
        on lifecycle.account_id = acquisition_costs.account_id

),

final as (

    select
        account_id,
        segment,
        acquisition_channel,
        cohort_month,
        is_active,
        cast(tenure_months as int) as tenure_months,
        cast(invoiced_revenue as decimal(18, 2)) as invoiced_revenue_to_date,
        cast(cost_to_serve as decimal(18, 2)) as cost_to_serve_to_date,
        cast({{ historic_clv('invoiced_revenue', 'cost_to_serve') }} as decimal(18, 2))
            as historic_clv,
        cast(acquisition_cost as decimal(18, 2)) as acquisition_cost,
        cast(retention_cost_to_serve as decimal(18, 2)) as retention_cost_to_serve,
        cast(incentives_granted as decimal(18, 2)) as incentives_granted,
        cast(retention_cost_to_serve + incentives_granted as decimal(18, 2)) as retention_cost,
        cast({{ clv_cac_ratio(historic_clv('invoiced_revenue', 'cost_to_serve'), 'acquisition_cost') }}
            as double) as clv_cac_ratio

    from joined

)

select * from final
