-- What became of the promises due each month, for each segment x region x team: counts by
-- commitment status, summed from commitments (promises not yet due included, as
-- open_not_due).
with

commitments as (

    select * from {{ ref('commitments') }}

),

report_groups as (

    select * from {{ ref('int_accounts_report_grouped') }}

),

counted as (

    select
        commitments.due_month,
        commitments.segment,
        report_groups.region as region,
        coalesce(commitments.team, 'unknown') as team,
        commitments.commitment_status,
        count(*) as promises

    from commitments
    left join report_groups on commitments.account_id = report_groups.account_id
    group by
        commitments.due_month,
        commitments.segment,
        report_groups.region,
        coalesce(commitments.team, 'unknown'),
        commitments.commitment_status

),

final as (

    select
        due_month,
        segment,
        region,
        team,
        commitment_status,
        cast(promises as bigint) as promises

    from counted

)

select * from final
