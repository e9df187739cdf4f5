with

source as (

    select * from {{ source('crm', 'contacts') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['contact_id']) }}

),

renamed as (

    select
        contact_id,
        account_id,
        first_name,
        last_name,
        email,
        phone,
        job_title,
        is_primary,
        _batch_id as batch_id

    from latest

)

select * from renamed
