with

source as (

    select * from {{ source('finance', 'invoices') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['invoice_line_id']) }}

),

renamed as (

    select
        invoice_line_id,
        invoice_id,
        account_id,
        invoice_date,
        due_date,
        product,
        amount,
        currency,
        _batch_id as batch_id

    from latest

)

select * from renamed
