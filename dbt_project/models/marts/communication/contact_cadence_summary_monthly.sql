-- Contact cadence per month for each segment x region x owning team: activities (proactive and
-- reactive) and complaints followed up in time, summed from contact_cadence_monthly.
with

cadence as (

    select * from {{ ref('contact_cadence_monthly') }}

),

report_groups as (

    select * from {{ ref('int_accounts_report_grouped') }}

),

cadence_with_owner as (

    select
        cadence.month,
        cadence.segment,
        report_groups.region as region,
        report_groups.owner_team as owner_team,
        cadence.activities,
        cadence.proactive_activities,
        cadence.complaints_opened,
        cadence.complaints_followed_up_in_time

    from cadence
    left join report_groups on cadence.account_id = report_groups.account_id

),

counted as (

    select
        month,
        segment,
        region,
        owner_team,
        count(*) as customers,
        sum(activities) as activities,
        sum(proactive_activities) as proactive_activities,
        sum(complaints_opened) as complaints_opened,
        sum(complaints_followed_up_in_time) as complaints_followed_up_in_time

    from cadence_with_owner
    group by month, segment, region, owner_team

),

final as (

    select
        month,
        segment,
        region,
        owner_team,
        cast(customers as bigint) as customers,
        cast(activities as bigint) as activities,
        cast(proactive_activities as bigint) as proactive_activities,
        cast(activities - proactive_activities as bigint) as reactive_activities,
        cast(complaints_opened as bigint) as complaints_opened,
        cast(complaints_followed_up_in_time as bigint) as complaints_followed_up_in_time

    from counted

)

select * from final
