-- Each customer's loyalty quadrant quarter by quarter, with the quadrant it came from, so the
-- report can show movement between quadrants. Period-incremental by quarter
-- (macros/period_incremental.sql), reading one quarter back for the quadrant it came from.
{{ config(**period_incremental_config('quarter', grain='quarter')) }}

with

classified as (

    select * from {{ ref('int_accounts_loyalty_classified') }}
    where {{ in_rebuilt_periods('quarter', grain='quarter', lookback_months=3) }}

),

with_previous as (

    -- an account's quarters are consecutive, so the previous row is the previous quarter
    select
        *,
        lag(loyalty_segment) over (partition by account_id order by quarter)
            as previous_loyalty_segment
    from classified

),

final as (

    select
        account_id,
        quarter,
        as_of_date,
        segment,
        is_active,
        is_satisfied,
        is_loyal,
        loyalty_segment,
        previous_loyalty_segment,
        coalesce(previous_loyalty_segment <> loyalty_segment, false) as has_moved,
        is_incentive_driven

    from with_previous
    where {{ in_rebuilt_periods('quarter', grain='quarter') }}

)

select * from final
