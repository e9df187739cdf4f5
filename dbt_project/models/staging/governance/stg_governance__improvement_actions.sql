with

source as (

    select * from {{ source('governance', 'improvement_actions') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['action_id']) }}

),

renamed as (

    select
        action_id,
        action_title,
        kpi,
        segment,
        owner,
        team,
        raised_date,
        due_date,
        status,
        status_changed_date,
        _batch_id as batch_id

    from latest

)

select * from renamed
