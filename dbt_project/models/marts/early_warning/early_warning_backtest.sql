-- How well the at-risk flag would have warned, month by month: recall over the customers who
-- left, precision over the customers flagged, each next to what random flagging would give.
{%- set lead_min = 2 %}
{%- set horizon = 6 %}

with

risk as (

    select * from {{ ref('account_risk_monthly') }}

),

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

risk_with_churn as (

    select
        risk.account_id,
        risk.month,
        risk.is_at_risk,
        lifecycle.churn_month

    from risk
    inner join lifecycle
        on risk.account_id = lifecycle.account_id

),

flagged_earlier as (

    -- customers at the start of month m that were flagged in at least one month from m-6 to m-2
    select distinct
        target.account_id,
        target.month

    from risk_with_churn as target
    inner join risk_with_churn as earlier
        on target.account_id = earlier.account_id
        and earlier.is_at_risk
        and earlier.month >= cast({{ dbt.dateadd('month', -horizon, 'target.month') }} as date)
        and earlier.month <= cast({{ dbt.dateadd('month', -lead_min, 'target.month') }} as date)

),

per_customer as (

    select
        risk_with_churn.account_id,
        risk_with_churn.month,
        case when risk_with_churn.churn_month = risk_with_churn.month then 1 else 0 end
            as churned_in_month,
        case when flagged_earlier.account_id is not null then 1 else 0 end as was_flagged_earlier,
        case when risk_with_churn.is_at_risk then 1 else 0 end as is_flagged,
        case
            when risk_with_churn.churn_month
                    > risk_with_churn.month
                and risk_with_churn.churn_month
                    <= cast({{ dbt.dateadd('month', horizon, 'risk_with_churn.month') }} as date)
                then 1
            else 0
        end as churned_within_horizon

    from risk_with_churn
    left join flagged_earlier
        on risk_with_churn.account_id = flagged_earlier.account_id
        and risk_with_churn.month = flagged_earlier.month

),

counted as (

    select
        month,
        count(*) as customers_at_start,
        sum(churned_in_month) as churned_customers,
        sum(churned_in_month * was_flagged_earlier) as churned_flagged_earlier,
        sum(was_flagged_earlier) as customers_flagged_earlier,
        sum(is_flagged) as flagged_customers,
        sum(is_flagged * churned_within_horizon) as flagged_churned_within_6m,
        sum(churned_within_horizon) as customers_churned_within_6m

    from per_customer
    group by month

),

final as (

    select
        counted.month,
        cast(least({{ horizon }}, calendar.outcome_months) as int) as outcome_months_observed,
        cast(counted.customers_at_start as bigint) as customers_at_start,
        cast(counted.churned_customers as bigint) as churned_customers,
        cast(counted.churned_flagged_earlier as bigint) as churned_flagged_earlier,
        cast({{ share('counted.churned_flagged_earlier', 'counted.churned_customers') }} as double)
            as recall,
        cast({{ share('counted.customers_flagged_earlier', 'counted.customers_at_start') }} as double)
            as share_flagged_earlier,
        cast(counted.flagged_customers as bigint) as flagged_customers,
        cast({{ share('counted.flagged_customers', 'counted.customers_at_start') }} as double)
            as share_flagged,
        cast(counted.flagged_churned_within_6m as bigint) as flagged_churned_within_6m,
        -- precision needs the full six months of outcome; before that it would look too low
        cast(case when calendar.outcome_months >= {{ horizon }} then
            {{ share('counted.flagged_churned_within_6m', 'counted.flagged_customers') }}
        end as double) as precision,
        cast(counted.customers_churned_within_6m as bigint) as customers_churned_within_6m,
        cast(case when calendar.outcome_months >= {{ horizon }} then
            {{ share('counted.customers_churned_within_6m', 'counted.customers_at_start') }}
        end as double) as base_churn_rate_6m

    from counted
    inner join (
        select
            months.month,
            {{ dbt.datediff('months.month', 'latest.latest_month', 'month') }} as outcome_months
        from months
        cross join (select max(month) as latest_month from months) as latest
    ) as calendar
        on counted.month = calendar.month

)

select * from final
