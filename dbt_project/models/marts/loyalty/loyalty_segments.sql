-- Each customer's current loyalty quadrant: satisfaction (what it says) against loyal behaviour
-- (what it does), with the inputs that put it there.
with

classified as (

    select * from {{ ref('int_accounts_loyalty_classified') }}

),

latest as (

    -- the latest quarter the account was a customer in: today for current customers, the
    -- quarter they left in for former ones
    select
        *,
        row_number() over (partition by account_id order by quarter desc) as recency_rank
    from classified

),

final as (

    select
        account_id,
        segment,
        as_of_date,
        is_active,
        cast(tenure_months as int) as tenure_months,
        cast(renewals_count as int) as renewals_count,
        cast(referrals_made as int) as referrals_made,
        cast(revenue_last_6m as decimal(18, 2)) as revenue_last_6m,
        cast(revenue_prior_6m as decimal(18, 2)) as revenue_prior_6m,
        cast(spend_trend as double) as spend_trend,
        cast(latest_nps_score as int) as latest_nps_score,
        latest_nps_category,
        cast(csat_mean_12m as double) as csat_mean_12m,
        cast(csat_responses_12m as int) as csat_responses_12m,
        cast(retention_incentives as int) as retention_incentives_12m,
        is_satisfied,
        is_loyal,
        loyalty_segment,
        is_incentive_driven

    from latest
    where recency_rank = 1

)

select * from final
