-- Customer counts by segment, region, owning team, status and journey stage: the report
-- filters' options and every customer count a page shows, without one row per account.
with

customers as (

    select * from {{ ref('customer_360') }}

),

counted as (

    select
        segment,
        coalesce(region, 'unknown') as region,
        coalesce(owner_team, 'unknown') as owner_team,
        status,
        coalesce(current_journey_stage, 'no_survey_answer') as current_journey_stage,
        count(*) as customers

    from customers
    group by
        segment,
        coalesce(region, 'unknown'),
        coalesce(owner_team, 'unknown'),
        status,
        coalesce(current_journey_stage, 'no_survey_answer')

),

final as (

    select
        segment,
        region,
        owner_team,
        status,
        current_journey_stage,
        cast(customers as bigint) as customers

    from counted

)

select * from final
