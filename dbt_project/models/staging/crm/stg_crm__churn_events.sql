with

source as (

    select * from {{ source('crm', 'churn_events') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['churn_event_id']) }}

),

renamed as (

    select
        churn_event_id,
        account_id,
        churn_date,
        churn_reason,
        reason_text,
        _batch_id as batch_id

    from latest

)

select * from renamed
