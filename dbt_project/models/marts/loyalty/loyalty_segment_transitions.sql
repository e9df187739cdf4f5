-- Each customer's loyalty quadrant quarter by quarter, with the quadrant it came from, so the
-- report can show movement between quadrants.
with

classified as (

    select * from {{ ref('int_accounts_loyalty_classified') }}

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

)

select * from final
