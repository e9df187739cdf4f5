with

source as (

    select * from {{ source('finance', 'cost_to_serve') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['account_id', 'month', 'cost_type']) }}

),

renamed as (

    select
        account_id,
        month,
        cost_type,
        amount,
        currency,
        _batch_id as batch_id

    from latest

)

select * from renamed
