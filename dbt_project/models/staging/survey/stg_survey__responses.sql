with

source as (

    select * from {{ source('survey', 'responses') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['response_id']) }}

),

renamed as (

    select
        response_id,
        account_id,
        contact_id,
        survey_type,
        journey_stage,
        touchpoint,
        responded_date,
        nps_score,
        ces_score,
        csat_score,
        expectation_score,
        experience_score,
        comment,
        _batch_id as batch_id

    from latest

)

select * from renamed
