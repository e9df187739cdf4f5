-- How many customers fall in each band of historic CLV, per segment and region: the CLV
-- distribution a page draws, with bands fixed in rand so any filter's cells add up.
with

customer_value as (

    select * from {{ ref('customer_value') }}

),

report_groups as (

    select * from {{ ref('int_accounts_report_grouped') }}

),

bands as (

    select * from (
        values
            (1, 'below 0', -1e18, 0),
            (2, '0 - 10k', 0, 10000),
            (3, '10k - 50k', 10000, 50000),
            (4, '50k - 100k', 50000, 100000),
            (5, '100k - 250k', 100000, 250000),
            (6, '250k - 500k', 250000, 500000),
            (7, '500k - 1M', 500000, 1000000),
            (8, '1M - 5M', 1000000, 5000000),
            (9, '5M and more', 5000000, 1e18)
    ) as t (band_order, clv_band, lower_bound, upper_bound)

),

banded as (

    select
        customer_value.segment,
        report_groups.region as region,
        bands.band_order,
        bands.clv_band

    from customer_value
    left join report_groups on customer_value.account_id = report_groups.account_id
    inner join bands
        on customer_value.historic_clv >= bands.lower_bound
        and customer_value.historic_clv < bands.upper_bound

),

counted as (

    select
        segment,
        region,
        band_order,
        clv_band,
        count(*) as customers

    from banded
    group by segment, region, band_order, clv_band

),

final as (

    select
        segment,
        region,
        cast(band_order as integer) as band_order,
        clv_band,
        cast(customers as bigint) as customers

    from counted

)

select * from final
