with

source as (

    select * from {{ source('crm', 'reps') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['rep_id']) }}

),

renamed as (

    select
        rep_id,
        rep_name,
        team,
        manager_rep_id,
        hired_date,
        _batch_id as batch_id

    from latest

)

select * from renamed
