-- What we spend on relationships per quarter for each segment x region x owning team: contact
-- time and costs summed from relationship_investment_quarterly.
with

investment as (

    select * from {{ ref('relationship_investment_quarterly') }}

),

report_groups as (

    select * from {{ ref('int_accounts_report_grouped') }}

),

investment_with_owner as (

    select
        investment.quarter,
        investment.segment,
        report_groups.region as region,
        report_groups.owner_team as owner_team,
        case when investment.is_partial_quarter then 1 else 0 end as is_partial,
        investment.activities,
        investment.contact_minutes,
        investment.proactive_minutes,
        investment.account_reviews_held,
        investment.retention_cost,
        investment.account_management_cost,
        investment.relationship_cost

    from investment
    left join report_groups on investment.account_id = report_groups.account_id

),

counted as (

    select
        quarter,
        segment,
        region,
        owner_team,
        max(is_partial) as is_partial,
        count(*) as customers,
        sum(activities) as activities,
        sum(contact_minutes) as contact_minutes,
        sum(proactive_minutes) as proactive_minutes,
        sum(account_reviews_held) as account_reviews_held,
        sum(retention_cost) as retention_cost,
        sum(account_management_cost) as account_management_cost,
        sum(relationship_cost) as relationship_cost

    from investment_with_owner
    group by quarter, segment, region, owner_team

),

final as (

    select
        quarter,
        segment,
        region,
        owner_team,
        is_partial = 1 as is_partial_quarter,
        cast(customers as bigint) as customers,
        cast(activities as bigint) as activities,
        cast(contact_minutes as bigint) as contact_minutes,
        cast(proactive_minutes as bigint) as proactive_minutes,
        cast(account_reviews_held as bigint) as account_reviews_held,
        cast(retention_cost as decimal(18, 2)) as retention_cost,
        cast(account_management_cost as decimal(18, 2)) as account_management_cost,
        cast(relationship_cost as decimal(18, 2)) as relationship_cost

    from counted

)

select * from final
