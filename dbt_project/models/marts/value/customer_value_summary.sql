-- Historic CLV per segment and region, with 'all' roll-ups for either or both, so a page shows
-- the exact median as well as the mean whatever the filters (a median cannot be added up from
-- smaller groups).
with

customer_value as (

    select * from {{ ref('customer_value') }}

),

report_groups as (

    select * from {{ ref('int_accounts_report_grouped') }}

),

value_with_region as (

    select
        customer_value.segment,
        report_groups.region as region,
        customer_value.is_active,
        cast(customer_value.historic_clv as double) as historic_clv_value,
        customer_value.historic_clv

    from customer_value
    left join report_groups on customer_value.account_id = report_groups.account_id

),

summarised as (

    select
        coalesce(segment, 'all') as segment,
        coalesce(region, 'all') as region,
        count(*) as customers,
        sum(case when is_active then 1 else 0 end) as active_customers,
        sum(historic_clv) as total_historic_clv,
        {{ experience_median('historic_clv_value') }} as median_historic_clv,
        sum(case when historic_clv < 0 then 1 else 0 end) as customers_below_zero

    from value_with_region
    group by grouping sets ((segment, region), (segment), (region), ())

),

final as (

    select
        segment,
        region,
        cast(customers as bigint) as customers,
        cast(active_customers as bigint) as active_customers,
        cast(total_historic_clv as decimal(18, 2)) as total_historic_clv,
        cast({{ share('total_historic_clv', 'customers') }} as double) as mean_historic_clv,
        cast(median_historic_clv as double) as median_historic_clv,
        cast(customers_below_zero as bigint) as customers_below_zero

    from summarised

)

select * from final
