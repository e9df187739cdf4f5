-- The early-warning picture per month for each segment x region x owning team: how many
-- customers, how many at risk, the MRR they hold and which signals fired for them. Reports add
-- the cells a filter selects instead of reading account_risk_monthly's account rows.
with

risk as (

    select * from {{ ref('account_risk_monthly') }}

),

report_groups as (

    select * from {{ ref('int_accounts_report_grouped') }}

),

risk_with_owner as (

    select
        risk.month,
        risk.segment,
        report_groups.region as region,
        report_groups.owner_team as owner_team,
        risk.mrr_at_start,
        case when risk.is_at_risk then 1 else 0 end as at_risk,
        risk.score_decline_flag,
        risk.silence_flag,
        risk.late_payment_flag,
        risk.open_complaint_flag,
        risk.spend_decline_flag

    from risk
    left join report_groups on risk.account_id = report_groups.account_id

),

counted as (

    select
        month,
        segment,
        region,
        owner_team,
        count(*) as customers_at_start,
        sum(at_risk) as at_risk_customers,
        sum(mrr_at_start) as start_mrr,
        sum(case when at_risk = 1 then mrr_at_start else 0 end) as at_risk_mrr,
        sum(at_risk * score_decline_flag) as at_risk_with_score_decline,
        sum(at_risk * silence_flag) as at_risk_with_silence,
        sum(at_risk * late_payment_flag) as at_risk_with_late_payment,
        sum(at_risk * open_complaint_flag) as at_risk_with_open_complaint,
        sum(at_risk * spend_decline_flag) as at_risk_with_spend_decline

    from risk_with_owner
    group by month, segment, region, owner_team

),

final as (

    select
        month,
        segment,
        region,
        owner_team,
        cast(customers_at_start as bigint) as customers_at_start,
        cast(at_risk_customers as bigint) as at_risk_customers,
        cast(coalesce(start_mrr, 0) as decimal(18, 2)) as start_mrr,
        cast(coalesce(at_risk_mrr, 0) as decimal(18, 2)) as at_risk_mrr,
        cast(at_risk_with_score_decline as bigint) as at_risk_with_score_decline,
        cast(at_risk_with_silence as bigint) as at_risk_with_silence,
        cast(at_risk_with_late_payment as bigint) as at_risk_with_late_payment,
        cast(at_risk_with_open_complaint as bigint) as at_risk_with_open_complaint,
        cast(at_risk_with_spend_decline as bigint) as at_risk_with_spend_decline

    from counted

)

select * from final
