with

source as (

    select * from {{ source('governance', 'improvement_actions') }}

),

renamed as (

    -- every delivered export of the register, one row per action per distinct status change:
    -- the register's history even before the snapshot started recording it
    select distinct
        action_id,
        status,
        status_changed_date,
        owner,
        team,
        due_date

    from source

)

select * from renamed
