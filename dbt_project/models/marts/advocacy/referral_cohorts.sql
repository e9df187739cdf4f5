-- Referred customers against everyone else, per segment: how many, how many stayed, what they
-- have been worth.
with

customer_value as (

    select * from {{ ref('customer_value') }}

),

grouped as (

    select
        case when acquisition_channel = 'referral' then 'referred' else 'not_referred' end
            as channel_group,
        segment,
        is_active,
        historic_clv
    from customer_value

),

grouped_all_segments as (

    select * from grouped
    union all
    select channel_group, 'all' as segment, is_active, historic_clv from grouped

),

counted as (

    select
        channel_group,
        segment,
        count(*) as customers,
        sum(case when is_active then 1 else 0 end) as active_customers,
        avg(cast(historic_clv as double)) as mean_clv

    from grouped_all_segments
    group by channel_group, segment

),

final as (

    select
        channel_group,
        segment,
        cast(customers as bigint) as customers,
        cast(active_customers as bigint) as active_customers,
        cast({{ share('active_customers', 'customers') }} as double) as retention_rate_to_date,
        cast(mean_clv as double) as mean_clv

    from counted

)

select * from final
