-- An illustrative scenario, not a forecast: what adding 5 points of annual logo retention would
-- be worth in margin over a customer's expected lifetime, with every assumption as a column.
with

retention as (

    select * from {{ ref('int_retention_segments_aggregated') }}

),

account_months as (

    select * from {{ ref('int_accounts_monthly') }}

),

margins as (

    select * from {{ ref('int_accounts_margin_monthly') }}

),

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

window_months as (

    -- the last twelve complete months: the latest month may be incomplete
    select months.month
    from months
    cross join (select max(month) as latest_month from months) as calendar
    where months.month < calendar.latest_month
        and months.month >= cast({{ dbt.dateadd('month', -12, 'calendar.latest_month') }} as date)

),

annual_retention as (

    select
        retention.segment,
        sum(retention.customers_lost) as customers_lost,
        sum(retention.customers_at_start) as customer_months_at_start

    from retention
    inner join window_months
        on retention.month = window_months.month
    group by retention.segment

),

customer_margins as (

    -- margin per customer-month: every month an account was a customer for at least a day
    select
        account_months.segment,
        count(*) as customer_months,
        sum(coalesce(margins.invoiced_revenue, 0) - coalesce(margins.cost_to_serve, 0))
            as margin

    from account_months
    inner join window_months
        on account_months.month = window_months.month
    left join margins
        on account_months.account_id = margins.account_id
        and account_months.month = margins.month
    group by account_months.segment

),

customer_margins_all_segments as (

    select segment, customer_months, margin from customer_margins
    union all
    select 'all' as segment, sum(customer_months), sum(margin) from customer_margins

),

active_customers as (

    select segment, count(*) as active_customers
    from lifecycle
    where is_active
    group by segment

    union all

    select 'all' as segment, count(*) as active_customers
    from lifecycle
    where is_active

),

assumptions as (

    select
        annual_retention.segment,
        -- twelve months of the average monthly logo retention
        power(
            {{ logo_retention_rate('annual_retention.customers_lost', 'annual_retention.customer_months_at_start') }},
            12
        ) as current_annual_retention,
        {{ share('customer_margins_all_segments.margin', 'customer_margins_all_segments.customer_months') }}
            as avg_monthly_margin_per_customer,
        coalesce(active_customers.active_customers, 0) as active_customers

    from annual_retention
    left join customer_margins_all_segments
        on annual_retention.segment = customer_margins_all_segments.segment
    left join active_customers
        on annual_retention.segment = active_customers.segment

),

scenario as (

    select
        segment,
        current_annual_retention,
        current_annual_retention + {{ retention_scenario_uplift_points() }}
            as improved_annual_retention,
        avg_monthly_margin_per_customer,
        active_customers,
        {{ retention_expected_lifetime_years('current_annual_retention') }}
            as expected_lifetime_years_current,
        {{ retention_expected_lifetime_years(
            'current_annual_retention + ' ~ retention_scenario_uplift_points()
        ) }} as expected_lifetime_years_improved

    from assumptions

),

valued as (

    select
        *,
        12 * avg_monthly_margin_per_customer * expected_lifetime_years_current
            as lifetime_margin_per_customer_current,
        12 * avg_monthly_margin_per_customer * expected_lifetime_years_improved
            as lifetime_margin_per_customer_improved

    from scenario

),

final as (

    select
        segment,
        cast('illustrative: +5 points retention' as {{ dbt.type_string() }}) as scenario,
        cast({{ retention_scenario_uplift_points() }} as double) as retention_uplift_points,
        cast(current_annual_retention as double) as current_annual_retention,
        cast(improved_annual_retention as double) as improved_annual_retention,
        cast(avg_monthly_margin_per_customer as double) as avg_monthly_margin_per_customer,
        cast(expected_lifetime_years_current as double) as expected_lifetime_years_current,
        cast(expected_lifetime_years_improved as double) as expected_lifetime_years_improved,
        cast(lifetime_margin_per_customer_current as double)
            as lifetime_margin_per_customer_current,
        cast(lifetime_margin_per_customer_improved as double)
            as lifetime_margin_per_customer_improved,
        cast(lifetime_margin_per_customer_improved - lifetime_margin_per_customer_current as double)
            as profit_uplift_per_customer,
        cast({{ share(
            'lifetime_margin_per_customer_improved - lifetime_margin_per_customer_current',
            'lifetime_margin_per_customer_current'
        ) }} as double) as profit_uplift_share,
        cast(active_customers as bigint) as active_customers,
        cast(active_customers
            * (lifetime_margin_per_customer_improved - lifetime_margin_per_customer_current)
            as double) as profit_uplift_total

    from valued

)

select * from final
