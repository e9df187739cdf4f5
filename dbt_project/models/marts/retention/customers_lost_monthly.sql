-- Customers at the start of each month and those who left during it, for each segment x
-- region, counted from revenue_monthly's account rows.
with

revenue as (

    select * from {{ ref('revenue_monthly') }}

),

counted as (

    select
        month,
        segment,
        coalesce(region, 'unknown') as region,
        sum(case when is_customer_at_start then 1 else 0 end) as customers_at_start,
        sum(case when is_customer_at_start and churned_in_month then 1 else 0 end)
            as customers_lost,
        sum(case when is_new_in_month then 1 else 0 end) as customers_won

    from revenue
    group by month, segment, coalesce(region, 'unknown')

),

final as (

    select
        month,
        segment,
        region,
        cast(customers_at_start as bigint) as customers_at_start,
        cast(customers_lost as bigint) as customers_lost,
        cast(customers_won as bigint) as customers_won

    from counted

)

select * from final
