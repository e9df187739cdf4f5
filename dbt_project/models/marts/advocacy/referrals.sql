-- Who refers new customers, how happy they were when they did, and how the customers they
-- brought in have fared.
with

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

responses as (

    select * from {{ ref('int_survey_responses_joined') }}

),

customer_value as (

    select * from {{ ref('customer_value') }}

),

referred as (

    select
        lifecycle.referred_by_account_id as referrer_account_id,
        lifecycle.account_id as referred_account_id,
        lifecycle.created_date as referral_date,
        lifecycle.is_active as referred_is_active,
        customer_value.historic_clv as referred_historic_clv

    from lifecycle
    left join customer_value
        on lifecycle.account_id = customer_value.account_id
    where lifecycle.referred_by_account_id is not null

),

nps_at_referral as (

    -- the referrer's latest relationship NPS answer on or before the day the referral was won
    select
        referred.referred_account_id,
        responses.nps_category,
        row_number() over (
            partition by referred.referred_account_id
            order by responses.responded_date desc, responses.response_id desc
        ) as recency_rank

    from referred
    inner join responses
        on referred.referrer_account_id = responses.account_id
        and responses.survey_type = 'relationship'
        and responses.nps_score is not null
        and responses.responded_date <= referred.referral_date

),

referred_with_nps as (

    select
        referred.*,
        nps_at_referral.nps_category as referrer_nps_category,
        row_number() over (
            partition by referred.referrer_account_id
            order by referred.referral_date desc, referred.referred_account_id desc
        ) as referral_recency_rank

    from referred
    left join nps_at_referral
        on referred.referred_account_id = nps_at_referral.referred_account_id
        and nps_at_referral.recency_rank = 1

),

summed as (

    select
        referrer_account_id,
        count(*) as referrals_made,
        min(referral_date) as first_referral_date,
        max(referral_date) as latest_referral_date,
        max(case when referral_recency_rank = 1 then referrer_nps_category end)
            as referrer_nps_category_at_latest_referral,
        sum(case when referrer_nps_category = 'promoter' then 1 else 0 end)
            as referrals_made_as_promoter,
        sum(case when referred_is_active then 1 else 0 end) as referred_active_customers,
        sum(referred_historic_clv) as referred_total_clv,
        avg(cast(referred_historic_clv as double)) as referred_mean_clv

    from referred_with_nps
    group by referrer_account_id

),

final as (

    select
        summed.referrer_account_id,
        lifecycle.segment as referrer_segment,
        lifecycle.is_active as referrer_is_active,
        cast(summed.referrals_made as bigint) as referrals_made,
        summed.first_referral_date,
        summed.latest_referral_date,
        summed.referrer_nps_category_at_latest_referral,
        cast(summed.referrals_made_as_promoter as bigint) as referrals_made_as_promoter,
        cast(summed.referred_active_customers as bigint) as referred_active_customers,
        cast({{ share('summed.referred_active_customers', 'summed.referrals_made') }} as double)
            as referred_retention_rate,
        cast(summed.referred_total_clv as decimal(18, 2)) as referred_total_clv,
        cast(summed.referred_mean_clv as double) as referred_mean_clv

    from summed
    inner join lifecycle
        on summed.referrer_account_id = lifecycle.account_id

)

select * from final
