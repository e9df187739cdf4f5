-- Survey responses with the responding account's segment and region, and each score's category.
with

responses as (

    select * from {{ ref('stg_survey__responses') }}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

final as (

    select
        responses.response_id,
        responses.account_id,
        responses.survey_type,
        responses.journey_stage,
        responses.touchpoint,
        responses.responded_date,
        cast({{ dbt.date_trunc('month', 'responses.responded_date') }} as date) as response_month,
        accounts.segment,
        accounts.region,
        responses.nps_score,
        {{ nps_category('responses.nps_score') }} as nps_category,
        responses.ces_score,
        responses.csat_score,
        responses.expectation_score,
        responses.experience_score

    from responses
    inner join accounts
        on responses.account_id = accounts.account_id

)

select * from final
