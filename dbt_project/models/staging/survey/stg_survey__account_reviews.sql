with

source as (

    select * from {{ source('survey', 'account_reviews') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['review_id']) }}

),

renamed as (

    select
        review_id,
        account_id,
        rep_id,
        review_date,
        themes,
        success_definition,
        risks,
        agreed_actions,
        _batch_id as batch_id

    from latest

)

select * from renamed
