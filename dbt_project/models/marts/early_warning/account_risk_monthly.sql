-- Early-warning signals, risk score and at-risk flag per customer per month. Period-incremental:
-- a daily build rebuilds the months new data can change (macros/period_incremental.sql).
{{ config(**period_incremental_config('month')) }}

with

signals as (

    select * from {{ ref('int_accounts_risk_signals') }}
    where is_customer_at_start
        and {{ in_rebuilt_periods('month') }}

),

scored as (

    select
        *,
        {{ risk_score(
            'score_decline_flag', 'silence_flag', 'late_payment_flag',
            'open_complaint_flag', 'spend_decline_flag'
        ) }} as risk_score

    from signals

),

final as (

    select
        account_id,
        month,
        segment,
        cast(mrr_at_start as decimal(18, 2)) as mrr_at_start,
        cast(nps_mean_last3 as double) as nps_mean_last3,
        cast(nps_mean_prior3 as double) as nps_mean_prior3,
        cast(csat_mean_last3 as double) as csat_mean_last3,
        cast(csat_mean_prior3 as double) as csat_mean_prior3,
        cast(days_since_last_touch as int) as days_since_last_touch,
        cast(activities_last3 as int) as activities_last3,
        cast(activities_prior3 as int) as activities_prior3,
        cast(invoices_due as int) as invoices_due,
        cast(invoices_late as int) as invoices_late,
        cast(open_complaints as int) as open_complaints,
        cast(revenue_last3 as decimal(18, 2)) as revenue_last3,
        cast(revenue_prior3 as decimal(18, 2)) as revenue_prior3,
        cast(score_decline_flag as int) as score_decline_flag,
        cast(silence_flag as int) as silence_flag,
        cast(late_payment_flag as int) as late_payment_flag,
        cast(open_complaint_flag as int) as open_complaint_flag,
        cast(spend_decline_flag as int) as spend_decline_flag,
        cast(risk_score as int) as risk_score,
        risk_score >= {{ risk_at_risk_threshold() }} as is_at_risk

    from scored

)

select * from final
