with

source as (

    select * from {{ source('crm', 'cases') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['case_id']) }}

),

renamed as (

    select
        case_id,
        account_id,
        opened_at,
        first_response_at,
        resolved_at,
        severity,
        category,
        is_complaint,
        _batch_id as batch_id

    from latest

)

select * from renamed
