-- What we invest in each customer relationship per quarter, in time and money, and whether
-- that investment is growing.
with

account_months as (

    select * from {{ ref('int_accounts_monthly') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

activities as (

    select * from {{ ref('int_activities_classified') }}

),

reviews as (

    select * from {{ ref('stg_survey__account_reviews') }}

),

costs as (

    select * from {{ ref('stg_finance__cost_to_serve') }}
    where cost_type in ('retention', 'account_management')

),

quarters as (

    -- a quarter the data covers only in part (the calendar starts or ends inside it) is not
    -- compared: a smaller number there means less data, not less investment
    select
        quarter,
        count(*) < 3 as is_partial_quarter
    from months
    group by quarter

),

account_quarters as (

    select distinct
        account_months.account_id,
        account_months.segment,
        months.quarter

    from account_months
    inner join months
        on account_months.month = months.month

),

contact as (

    select
        account_id,
        activity_quarter as quarter,
        count(*) as activities,
        sum(duration_minutes) as contact_minutes,
        sum(case when is_proactive = 1 then duration_minutes else 0 end) as proactive_minutes

    from activities
    group by account_id, activity_quarter

),

reviews_held as (

    select
        account_id,
        cast({{ dbt.date_trunc('quarter', 'review_date') }} as date) as quarter,
        count(*) as account_reviews_held

    from reviews
    group by account_id, cast({{ dbt.date_trunc('quarter', 'review_date') }} as date)

),

cost as (

    select
        account_id,
        cast({{ dbt.date_trunc('quarter', 'month') }} as date) as quarter,
        sum(case when cost_type = 'retention' then amount else 0 end) as retention_cost,
        sum(case when cost_type = 'account_management' then amount else 0 end)
            as account_management_cost

    from costs
    group by account_id, cast({{ dbt.date_trunc('quarter', 'month') }} as date)

),

measured as (

    select
        account_quarters.account_id,
        account_quarters.segment,
        account_quarters.quarter,
        quarters.is_partial_quarter,
        coalesce(contact.activities, 0) as activities,
        coalesce(contact.contact_minutes, 0) as contact_minutes,
        coalesce(contact.proactive_minutes, 0) as proactive_minutes,
        coalesce(reviews_held.account_reviews_held, 0) as account_reviews_held,
        coalesce(cost.retention_cost, 0) as retention_cost,
        coalesce(cost.account_management_cost, 0) as account_management_cost,
        coalesce(cost.retention_cost, 0) + coalesce(cost.account_management_cost, 0)
            as relationship_cost

    from account_quarters
    inner join quarters
        on account_quarters.quarter = quarters.quarter
    left join contact
        on account_quarters.account_id = contact.account_id
        and account_quarters.quarter = contact.quarter
    left join reviews_held
        on account_quarters.account_id = reviews_held.account_id
        and account_quarters.quarter = reviews_held.quarter
    left join cost
        on account_quarters.account_id = cost.account_id
        and account_quarters.quarter = cost.quarter

),

compared as (

    select
        measured.*,
        previous.relationship_cost as previous_quarter_relationship_cost,
        year_before.relationship_cost as same_quarter_last_year_relationship_cost,
        case
            when not measured.is_partial_quarter and not previous.is_partial_quarter
                then measured.relationship_cost > previous.relationship_cost
        end as investment_increased_vs_previous_quarter,
        case
            when not measured.is_partial_quarter and not year_before.is_partial_quarter
                then measured.relationship_cost > year_before.relationship_cost
        end as investment_increased_vs_same_quarter_last_year

    from measured
    left join measured as previous
        on measured.account_id = previous.account_id
        and measured.quarter = {{ experience_add_months('previous.quarter', 3) }}
    left join measured as year_before
        on measured.account_id = year_before.account_id
        and measured.quarter = {{ experience_add_months('year_before.quarter', 12) }}

),

final as (

    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        quarter,
        cast(segment as {{ dbt.type_string() }}) as segment,
        is_partial_quarter,
        cast(activities as bigint) as activities,
        cast(contact_minutes as bigint) as contact_minutes,
        cast(proactive_minutes as bigint) as proactive_minutes,
        cast(account_reviews_held as bigint) as account_reviews_held,
        cast(retention_cost as decimal(18, 2)) as retention_cost,
        cast(account_management_cost as decimal(18, 2)) as account_management_cost,
        cast(relationship_cost as decimal(18, 2)) as relationship_cost,
        cast(previous_quarter_relationship_cost as decimal(18, 2))
            as previous_quarter_relationship_cost,
        cast(same_quarter_last_year_relationship_cost as decimal(18, 2))
            as same_quarter_last_year_relationship_cost,
        investment_increased_vs_previous_quarter,
        investment_increased_vs_same_quarter_last_year

    from compared

)

select * from final
