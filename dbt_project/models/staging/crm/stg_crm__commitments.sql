with

source as (

    select * from {{ source('crm', 'commitments') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['commitment_id']) }}

),

renamed as (

    select
        commitment_id,
        account_id,
        rep_id,
        opportunity_id,
        phase,
        category,
        description,
        made_date,
        due_date,
        delivered_date,
        status,
        _batch_id as batch_id

    from latest

)

select * from renamed
