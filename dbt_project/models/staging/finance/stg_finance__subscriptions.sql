with

source as (

    select * from {{ source('finance', 'subscriptions') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['subscription_id']) }}

),

renamed as (

    select
        subscription_id,
        account_id,
        product,
        start_date,
        end_date,
        term_months,
        mrr,
        currency,
        renewal_of_subscription_id,
        _batch_id as batch_id

    from latest

)

select * from renamed
