-- Customers at the start of each month and those who left during it, for each segment x
-- region, counted from revenue_monthly's account rows.
with

revenue as (

    select * from {{ ref('revenue_monthly') }}

),

report_groups as (

    select * from {{ ref('int_accounts_report_grouped') }}

),

revenue_with_region as (

    select
        revenue.month,
        revenue.segment,
        report_groups.region,
        case when revenue.is_customer_at_start then 1 else 0 end as at_start,
        case when revenue.is_customer_at_start and revenue.churned_in_month then 1 else 0 end
            as lost,
        case when revenue.is_new_in_month then 1 else 0 end as won

    from revenue
    left join report_groups on revenue.account_id = report_groups.account_id

),

final as (

    select
        month,
        segment,
        region,
        cast(sum(at_start) as bigint) as customers_at_start,
        cast(sum(lost) as bigint) as customers_lost,
        cast(sum(won) as bigint) as customers_won

    from revenue_with_region
    group by month, segment, region

)

select * from final
