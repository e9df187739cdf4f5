with

source as (

    select * from {{ source('finance', 'payments') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['payment_id']) }}

),

renamed as (

    select
        payment_id,
        invoice_id,
        account_id,
        payment_date,
        amount,
        currency,
        _batch_id as batch_id

    from latest

)

select * from renamed
