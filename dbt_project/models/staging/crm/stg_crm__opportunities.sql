with

source as (

    select * from {{ source('crm', 'opportunities') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['opportunity_id']) }}

),

renamed as (

    select
        opportunity_id,
        account_id,
        rep_id,
        opportunity_type,
        stage,
        created_date,
        close_date,
        amount,
        currency,
        _batch_id as batch_id

    from latest

)

select * from renamed
