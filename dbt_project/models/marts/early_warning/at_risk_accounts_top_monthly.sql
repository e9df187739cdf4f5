-- The at-risk customers a page lists by name: per month, the highest-risk ones of each
-- segment x region x owning team (var report_top_accounts, 50). Keeping the top of every cell
-- keeps the top of any union of cells, so a filtered list is exact down to that many rows
-- while the table stays the same size whatever the number of customers.
with

risk as (

    select * from {{ ref('account_risk_monthly') }}

),

report_groups as (

    select * from {{ ref('int_accounts_report_grouped') }}

),

at_risk as (

    select
        risk.account_id,
        risk.month,
        risk.segment,
        report_groups.region as region,
        report_groups.owner_team as owner_team,
        report_groups.owner_rep_id,
        risk.risk_score,
        risk.mrr_at_start,
        risk.score_decline_flag,
        risk.silence_flag,
        risk.late_payment_flag,
        risk.open_complaint_flag,
        risk.spend_decline_flag

    from risk
    left join report_groups on risk.account_id = report_groups.account_id
    where risk.is_at_risk

),

ranked as (

    select
        *,
        row_number() over (
            partition by month, segment, region, owner_team
            order by risk_score desc, mrr_at_start desc, account_id
        ) as risk_rank

    from at_risk

),

final as (

    select
        account_id,
        month,
        segment,
        region,
        owner_team,
        owner_rep_id,
        cast(risk_rank as integer) as risk_rank,
        risk_score,
        mrr_at_start,
        score_decline_flag,
        silence_flag,
        late_payment_flag,
        open_complaint_flag,
        spend_decline_flag

    from ranked
    where risk_rank <= {{ var('report_top_accounts', 50) }}

)

select * from final
