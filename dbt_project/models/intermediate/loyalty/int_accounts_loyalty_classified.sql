-- Each customer's loyalty quadrant per quarter: the rules (macros/loyalty_segments.sql) applied
-- once, so the current segments and the quarter-by-quarter transitions agree.
-- Period-incremental by quarter, like its features (macros/period_incremental.sql).
{{ config(**period_incremental_config('quarter', grain='quarter')) }}

with

features as (

    select * from {{ ref('int_accounts_loyalty_features') }}
    where {{ in_rebuilt_periods('quarter', grain='quarter') }}

),

flagged as (

    select
        *,
        {{ loyalty_is_satisfied('latest_nps_category', 'csat_mean_12m') }} as is_satisfied,
        {{ loyalty_is_loyal(
            'is_active', 'tenure_months', 'renewals_count', 'referrals_made', 'spend_trend'
        ) }} as is_loyal,
        {{ loyalty_is_incentive_driven('is_active', 'retention_incentives', 'latest_nps_category') }}
            as is_incentive_driven

    from features

),

final as (

    select
        *,
        {{ loyalty_segment('is_satisfied', 'is_loyal') }} as loyalty_segment

    from flagged

)

select * from final
