-- Every promise made to a customer, with the outcome as of the data end.
with

commitments as (

    select * from {{ ref('int_commitments_classified') }}

),

final as (

    select
        cast(commitment_id as {{ dbt.type_string() }}) as commitment_id,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(segment as {{ dbt.type_string() }}) as segment,
        cast(rep_id as {{ dbt.type_string() }}) as rep_id,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
        cast(phase as {{ dbt.type_string() }}) as phase,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(description as {{ dbt.type_string() }}) as description,
        made_date,
        due_date,
        due_month,
        delivered_date,
        cast(source_status as {{ dbt.type_string() }}) as source_status,
        cast(commitment_status as {{ dbt.type_string() }}) as commitment_status,
        cast(delivery_lag_days as int) as delivery_lag_days,
        as_of_date

    from commitments

)

select * from final
