-- Logo churn and revenue retention per month per segment (and all segments together).
with

retention as (

    select * from {{ ref('int_retention_segments_aggregated') }}

),

final as (

    select
        month,
        segment,
        cast(customers_at_start as bigint) as customers_at_start,
        cast(customers_lost as bigint) as customers_lost,
        cast(new_customers as bigint) as new_customers,
        cast(logo_churn_rate as double) as logo_churn_rate,
        cast(logo_retention_rate as double) as logo_retention_rate,
        cast(start_mrr as decimal(18, 2)) as start_mrr,
        cast(churned_mrr as decimal(18, 2)) as churned_mrr,
        cast(contraction_mrr as decimal(18, 2)) as contraction_mrr,
        cast(expansion_mrr as decimal(18, 2)) as expansion_mrr,
        cast(grr as double) as grr,
        cast(nrr as double) as nrr

    from retention

)

select * from final
