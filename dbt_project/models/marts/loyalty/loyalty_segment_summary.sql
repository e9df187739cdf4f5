-- Customers by their current loyalty group for each segment x region (active and former),
-- counted from loyalty_segments.
with

loyalty as (

    select * from {{ ref('loyalty_segments') }}

),

customers as (

    select * from {{ ref('customer_360') }}

),

counted as (

    select
        loyalty.segment,
        coalesce(customers.region, 'unknown') as region,
        loyalty.loyalty_segment,
        loyalty.is_active,
        count(*) as customers,
        sum(case when loyalty.is_incentive_driven then 1 else 0 end) as incentive_driven

    from loyalty
    left join customers on loyalty.account_id = customers.account_id
    group by
        loyalty.segment,
        coalesce(customers.region, 'unknown'),
        loyalty.loyalty_segment,
        loyalty.is_active

),

final as (

    select
        segment,
        region,
        loyalty_segment,
        is_active,
        cast(customers as bigint) as customers,
        cast(incentive_driven as bigint) as incentive_driven

    from counted

)

select * from final
