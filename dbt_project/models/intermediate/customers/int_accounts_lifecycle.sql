-- Each account's life: when it became a customer, whether and why it left, its cohort.
with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

churn_events as (

    -- one churn per account; a re-delivered or duplicate event keeps the earliest date
    select
        account_id,
        churn_date,
        churn_reason,
        row_number() over (partition by account_id order by churn_date, churn_event_id) as nth
    from {{ ref('stg_crm__churn_events') }}

),

calendar as (

    select max(month) as last_month, max(month_end) as as_of_date
    from {{ ref('int_months_spined') }}

),

final as (

    select
        accounts.account_id,
        accounts.segment,
        accounts.region,
        accounts.industry,
        accounts.acquisition_channel,
        accounts.referred_by_account_id,
        accounts.owner_rep_id,
        accounts.created_date,
        cast({{ dbt.date_trunc('month', 'accounts.created_date') }} as date) as cohort_month,
        churn_events.churn_date,
        cast({{ dbt.date_trunc('month', 'churn_events.churn_date') }} as date) as churn_month,
        churn_events.churn_reason,
        churn_events.churn_date is null as is_active,
        {{ dbt.datediff(
            'accounts.created_date',
            'coalesce(churn_events.churn_date, calendar.as_of_date)',
            'month'
        ) }} as tenure_months

    from accounts
    cross join calendar
    left join churn_events
        on accounts.account_id = churn_events.account_id
        and churn_events.nth = 1

)

select * from final
