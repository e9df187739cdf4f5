-- Customer counts by segment, region, owning team, status and journey stage: the report
-- filters' options and every customer count a page shows, without one row per account.
with

customers as (

    select * from {{ ref('customer_360') }}

),

report_groups as (

    select * from {{ ref('int_accounts_report_grouped') }}

),

grouped as (

    select
        customers.segment,
        report_groups.region,
        report_groups.owner_team,
        customers.status,
        coalesce(customers.current_journey_stage, 'no_survey_answer') as current_journey_stage

    from customers
    left join report_groups on customers.account_id = report_groups.account_id

),

final as (

    select
        segment,
        region,
        owner_team,
        status,
        current_journey_stage,
        cast(count(*) as bigint) as customers

    from grouped
    group by segment, region, owner_team, status, current_journey_stage

)

select * from final
