with

source as (

    select * from {{ source('crm', 'activities') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['activity_id']) }}

),

renamed as (

    select
        activity_id,
        account_id,
        rep_id,
        activity_date,
        channel,
        initiative,
        activity_type,
        duration_minutes,
        case_id,
        opportunity_id,
        _batch_id as batch_id

    from latest

)

select * from renamed
