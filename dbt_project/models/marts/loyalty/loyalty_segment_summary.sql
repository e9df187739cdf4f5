-- Customers by their current loyalty group for each segment x region (active and former),
-- counted from loyalty_segments.
with

loyalty as (

    select * from {{ ref('loyalty_segments') }}

),

report_groups as (

    select * from {{ ref('int_accounts_report_grouped') }}

),

counted as (

    select
        loyalty.segment,
        report_groups.region as region,
        loyalty.loyalty_segment,
        loyalty.is_active,
        count(*) as customers,
        sum(case when loyalty.is_incentive_driven then 1 else 0 end) as incentive_driven

    from loyalty
    left join report_groups on loyalty.account_id = report_groups.account_id
    group by
        loyalty.segment,
        report_groups.region,
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
