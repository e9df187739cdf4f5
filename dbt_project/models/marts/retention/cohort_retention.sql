-- Acquisition-cohort retention curves: of the customers won in a month, how many are still
-- customers k months later.
with

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

cohorts as (

    -- only cohorts won inside the data window: for older cohorts the customers who left before
    -- the first month are missing, so their curves would be biased upwards
    select lifecycle.*
    from lifecycle
    where lifecycle.cohort_month >= (select min(month) from months)
        and lifecycle.cohort_month <= (select max(month) from months)

),

periods as (

    select
        cohorts.account_id,
        cohorts.cohort_month,
        months.month,
        {{ dbt.datediff('cohorts.cohort_month', 'months.month', 'month') }} as months_since_cohort,
        -- period 0 counts the whole cohort, including a customer who joins and leaves in the
        -- same month; from period 1 a customer counts while not gone by the period's first day
        case
            when months.month = cohorts.cohort_month then 1
            when cohorts.churn_date is null or cohorts.churn_date >= months.month then 1
            else 0
        end as is_retained

    from cohorts
    inner join months
        on months.month >= cohorts.cohort_month

),

counted as (

    select
        cohort_month,
        months_since_cohort,
        count(*) as cohort_size,
        sum(is_retained) as retained

    from periods
    group by cohort_month, months_since_cohort

),

final as (

    select
        cohort_month,
        cast(months_since_cohort as int) as months_since_cohort,
        cast({{ dbt.dateadd('month', 'months_since_cohort', 'cohort_month') }} as date)
            as period_month,
        cast(cohort_size as bigint) as cohort_size,
        cast(retained as bigint) as retained,
        cast({{ cohort_retention('retained', 'cohort_size') }} as double) as cohort_retention

    from counted

)

select * from final
