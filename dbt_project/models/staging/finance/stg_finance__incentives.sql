with

source as (

    select * from {{ source('finance', 'incentives') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['incentive_id']) }}

),

renamed as (

    select
        incentive_id,
        account_id,
        granted_date,
        incentive_type,
        amount,
        currency,
        _batch_id as batch_id

    from latest

)

select * from renamed
