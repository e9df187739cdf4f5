with

source as (

    select * from {{ source('crm', 'accounts') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['account_id']) }}

),

renamed as (

    select
        account_id,
        account_name,
        segment,
        region,
        industry,
        created_date,
        acquisition_channel,
        referred_by_account_id,
        owner_rep_id,
        _batch_id as batch_id

    from latest

)

select * from renamed
