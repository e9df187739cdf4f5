-- MRR held by customers the early-warning score flags as at risk, per month per segment.
with

risk as (

    select * from {{ ref('account_risk_monthly') }}

),

risk_all_segments as (

    select segment, month, is_at_risk, mrr_at_start from risk
    union all
    select 'all' as segment, month, is_at_risk, mrr_at_start from risk

),

counted as (

    select
        month,
        segment,
        count(*) as customers_at_start,
        sum(case when is_at_risk then 1 else 0 end) as at_risk_customers,
        sum(mrr_at_start) as start_mrr,
        sum(case when is_at_risk then mrr_at_start else 0 end) as at_risk_mrr

    from risk_all_segments
    group by month, segment

),

final as (

    select
        month,
        segment,
        cast(customers_at_start as bigint) as customers_at_start,
        cast(at_risk_customers as bigint) as at_risk_customers,
        cast({{ share('at_risk_customers', 'customers_at_start') }} as double)
            as at_risk_customer_share,
        cast(start_mrr as decimal(18, 2)) as start_mrr,
        cast(at_risk_mrr as decimal(18, 2)) as at_risk_mrr,
        cast({{ share('at_risk_mrr', 'start_mrr') }} as double) as at_risk_mrr_share

    from counted

)

select * from final
