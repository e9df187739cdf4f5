-- One profile per customer: who it is, where it stands, what it is worth and how healthy it is.
with

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

reps as (

    select * from {{ ref('stg_crm__reps') }}

),

responses as (

    select * from {{ ref('int_survey_responses_joined') }}

),

customer_value as (

    select * from {{ ref('customer_value') }}

),

loyalty as (

    select * from {{ ref('loyalty_segments') }}

),

risk as (

    select * from {{ ref('account_risk_monthly') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

latest_response as (

    select
        account_id,
        journey_stage,
        row_number() over (
            partition by account_id order by responded_date desc, response_id desc
        ) as recency_rank
    from responses

),

latest_risk as (

    -- health is read in the latest month only: a customer who left has none
    select risk.*
    from risk
    inner join months
        on risk.month = months.month
        and months.is_latest_month

),

final as (

    select
        lifecycle.account_id,
        lifecycle.segment,
        lifecycle.region,
        lifecycle.industry,
        lifecycle.acquisition_channel,
        lifecycle.created_date,
        lifecycle.cohort_month,
        cast(lifecycle.tenure_months as int) as tenure_months,
        case when lifecycle.is_active then 'active' else 'churned' end as status,
        lifecycle.churn_date,
        lifecycle.churn_reason,
        latest_response.journey_stage as current_journey_stage,
        loyalty.latest_nps_category,
        cast(customer_value.historic_clv as decimal(18, 2)) as historic_clv,
        loyalty.loyalty_segment,
        loyalty.is_incentive_driven,
        -- a customer who left during the latest month still has that month's risk row, but no
        -- health to manage any more
        case when lifecycle.is_active then cast(100 - latest_risk.risk_score as int) end
            as health_score,
        case when lifecycle.is_active then latest_risk.is_at_risk end as is_churn_risk,
        lifecycle.owner_rep_id,
        reps.rep_name as owner_rep_name,
        reps.team as owner_team

    from lifecycle
    left join reps
        on lifecycle.owner_rep_id = reps.rep_id
    left join latest_response
        on lifecycle.account_id = latest_response.account_id
        and latest_response.recency_rank = 1
    left join customer_value
        on lifecycle.account_id = customer_value.account_id
    left join loyalty
        on lifecycle.account_id = loyalty.account_id
    left join latest_risk
        on lifecycle.account_id = latest_risk.account_id

)

select * from final
