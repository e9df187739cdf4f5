-- The groups a report filters customers by: head-office region and the owning rep's team, with
-- 'unknown' for a customer without one (so a group is never null and filters add up). Defined
-- once here for every report-grain mart.
with

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

reps as (

    select * from {{ ref('stg_crm__reps') }}

),

final as (

    select
        lifecycle.account_id,
        coalesce(lifecycle.region, 'unknown') as region,
        coalesce(reps.team, 'unknown') as owner_team,
        lifecycle.owner_rep_id

    from lifecycle
    left join reps
        on lifecycle.owner_rep_id = reps.rep_id

)

select * from final
