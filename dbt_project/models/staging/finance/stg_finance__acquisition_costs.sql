with

source as (

    select * from {{ source('finance', 'acquisition_costs') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['account_id']) }}

),

renamed as (

    select
        account_id,
        incurred_date,
        amount,
        currency,
        _batch_id as batch_id

    from latest

)

select * from renamed
