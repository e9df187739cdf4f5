-- What a customer says (satisfaction) and what it does (loyal behaviour), per customer per
-- quarter, measured as of the quarter's last day (or the last day of data for the current
-- quarter). The grouping rules are applied in int_accounts_loyalty_classified.
-- Period-incremental by quarter (macros/period_incremental.sql): a quarter's row reads data
-- dated up to its as-of day only, so a daily build rebuilds the quarters from the one the new
-- data starts in.
{%- set thresholds = loyalty_thresholds() %}
{{ config(**period_incremental_config('quarter', grain='quarter')) }}
with

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

responses as (

    select * from {{ ref('int_survey_responses_joined') }}

),

subscriptions as (

    select * from {{ ref('stg_finance__subscriptions') }}

),

revenue as (

    select * from {{ ref('int_accounts_revenue_summed') }}

),

incentives as (

    select * from {{ ref('stg_finance__incentives') }}

),

quarters as (

    select
        quarters.quarter,
        least(
            cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, 'quarters.quarter')) }} as date),
            calendar.as_of_date
        ) as as_of_date

    from (select distinct quarter from months) as quarters
    cross join (select max(month_end) as as_of_date from months) as calendar
    where {{ in_rebuilt_periods('quarters.quarter', grain='quarter') }}

),

account_quarters as (

    -- a customer for at least one day of the quarter
    select
        lifecycle.account_id,
        lifecycle.segment,
        lifecycle.created_date,
        lifecycle.churn_date,
        quarters.quarter,
        quarters.as_of_date,
        cast({{ dbt.date_trunc('month', 'quarters.as_of_date') }} as date) as as_of_month,
        (lifecycle.churn_date is null or lifecycle.churn_date > quarters.as_of_date) as is_active,
        {{ dbt.datediff(
            'lifecycle.created_date',
            'least(coalesce(lifecycle.churn_date, quarters.as_of_date), quarters.as_of_date)',
            'month'
        ) }} as tenure_months

    from lifecycle
    inner join quarters
        on lifecycle.created_date <= quarters.as_of_date
        and (lifecycle.churn_date is null or lifecycle.churn_date >= quarters.quarter)

),

renewals as (

    select
        account_quarters.account_id,
        account_quarters.quarter,
        count(*) as renewals_count

    from account_quarters
    inner join subscriptions
        on account_quarters.account_id = subscriptions.account_id
        and subscriptions.renewal_of_subscription_id is not null
        and subscriptions.start_date <= account_quarters.as_of_date
    group by account_quarters.account_id, account_quarters.quarter

),

referrals as (

    select
        account_quarters.account_id,
        account_quarters.quarter,
        count(*) as referrals_made

    from account_quarters
    inner join lifecycle as referred
        on account_quarters.account_id = referred.referred_by_account_id
        and referred.created_date <= account_quarters.as_of_date
    group by account_quarters.account_id, account_quarters.quarter

),

spend as (

    -- the last six months to the as-of month against the six before them
    select
        account_quarters.account_id,
        account_quarters.quarter,
        sum(case
            when revenue.month > cast({{ dbt.dateadd('month', -6, 'account_quarters.as_of_month') }} as date)
                then revenue.invoiced_revenue else 0
        end) as revenue_last_6m,
        sum(case
            when revenue.month <= cast({{ dbt.dateadd('month', -6, 'account_quarters.as_of_month') }} as date)
                then revenue.invoiced_revenue else 0
        end) as revenue_prior_6m

    from account_quarters
    inner join revenue
        on account_quarters.account_id = revenue.account_id
        and revenue.month <= account_quarters.as_of_month
        and revenue.month > cast({{ dbt.dateadd('month', -12, 'account_quarters.as_of_month') }} as date)
    group by account_quarters.account_id, account_quarters.quarter

),

relationship_nps_ranked as (

    select
        account_quarters.account_id,
        account_quarters.quarter,
        responses.nps_score,
        responses.nps_category,
        responses.responded_date,
        row_number() over (
            partition by account_quarters.account_id, account_quarters.quarter
            order by responses.responded_date desc, responses.response_id desc
        ) as recency_rank

    from account_quarters
    inner join responses
        on account_quarters.account_id = responses.account_id
        and responses.survey_type = 'relationship'
        and responses.nps_score is not null
        and responses.responded_date <= account_quarters.as_of_date

),

csat as (

    select
        account_quarters.account_id,
        account_quarters.quarter,
        avg(cast(responses.csat_score as double)) as csat_mean_12m,
        count(*) as csat_responses_12m

    from account_quarters
    inner join responses
        on account_quarters.account_id = responses.account_id
        and responses.csat_score is not null
        and responses.responded_date <= account_quarters.as_of_date
        and responses.responded_date
            > cast({{ dbt.dateadd('month', -12, 'account_quarters.as_of_date') }} as date)
    group by account_quarters.account_id, account_quarters.quarter

),

retention_incentives as (

    select
        account_quarters.account_id,
        account_quarters.quarter,
        count(*) as retention_incentives

    from account_quarters
    inner join incentives
        on account_quarters.account_id = incentives.account_id
        and incentives.incentive_type in ('{{ thresholds['incentive_types'] | join("', '") }}')
        and incentives.granted_date <= account_quarters.as_of_date
        and incentives.granted_date
            > cast({{ dbt.dateadd(
                'month', -thresholds['incentive_lookback_months'], 'account_quarters.as_of_date'
            ) }} as date)
    group by account_quarters.account_id, account_quarters.quarter

),

final as (

    select
        account_quarters.account_id,
        account_quarters.quarter,
        account_quarters.as_of_date,
        account_quarters.segment,
        account_quarters.is_active,
        account_quarters.tenure_months,
        coalesce(renewals.renewals_count, 0) as renewals_count,
        coalesce(referrals.referrals_made, 0) as referrals_made,
        coalesce(spend.revenue_last_6m, 0) as revenue_last_6m,
        coalesce(spend.revenue_prior_6m, 0) as revenue_prior_6m,
        {{ share('spend.revenue_last_6m', 'spend.revenue_prior_6m') }} as spend_trend,
        relationship_nps_ranked.nps_score as latest_nps_score,
        relationship_nps_ranked.nps_category as latest_nps_category,
        relationship_nps_ranked.responded_date as latest_nps_date,
        csat.csat_mean_12m,
        coalesce(csat.csat_responses_12m, 0) as csat_responses_12m,
        coalesce(retention_incentives.retention_incentives, 0) as retention_incentives

    from account_quarters
    left join renewals
        on account_quarters.account_id = renewals.account_id
        and account_quarters.quarter = renewals.quarter
    left join referrals
        on account_quarters.account_id = referrals.account_id
        and account_quarters.quarter = referrals.quarter
    left join spend
        on account_quarters.account_id = spend.account_id
        and account_quarters.quarter = spend.quarter
    left join relationship_nps_ranked
        on account_quarters.account_id = relationship_nps_ranked.account_id
        and account_quarters.quarter = relationship_nps_ranked.quarter
        and relationship_nps_ranked.recency_rank = 1
    left join csat
        on account_quarters.account_id = csat.account_id
        and account_quarters.quarter = csat.quarter
    left join retention_incentives
        on account_quarters.account_id = retention_incentives.account_id
        and account_quarters.quarter = retention_incentives.quarter

)

select * from final
