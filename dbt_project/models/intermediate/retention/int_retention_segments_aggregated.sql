-- Logo and revenue retention per month per segment, plus segment 'all': the single place the
-- retention formulas are applied, so the retention mart and the governance KPI rows agree.
with

account_months as (

    select * from {{ ref('int_accounts_monthly') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

movements as (

    -- MRR movements exist only for customers at the start: new customers are excluded from
    -- GRR and NRR by definition
    select
        account_id,
        month,
        segment,
        case when is_customer_at_start then 1 else 0 end as is_at_start,
        case when is_customer_at_start and churned_in_month then 1 else 0 end as is_lost,
        case when is_new_in_month then 1 else 0 end as is_new,
        case when is_customer_at_start then mrr_at_start else 0 end as start_mrr,
        case when is_customer_at_start
            then {{ retention_churned_mrr('churned_in_month', 'mrr_at_start') }} else 0
        end as churned_mrr,
        case when is_customer_at_start
            then {{ retention_contraction_mrr('churned_in_month', 'mrr_at_start', 'mrr_at_next_start') }}
            else 0
        end as contraction_mrr,
        case when is_customer_at_start
            then {{ retention_expansion_mrr('churned_in_month', 'mrr_at_start', 'mrr_at_next_start') }}
            else 0
        end as expansion_mrr

    from account_months

),

movements_all_segments as (

    select * from movements
    union all
    select account_id, month, 'all' as segment, is_at_start, is_lost, is_new, start_mrr,
        churned_mrr, contraction_mrr, expansion_mrr
    from movements

),

grid as (

    -- every month for every segment, so a month without customers still shows (with null rates)
    select months.month, months.is_latest_month, segments.segment
    from months
    cross join (select distinct segment from movements_all_segments) as segments

),

summed as (

    select
        grid.month,
        grid.segment,
        grid.is_latest_month,
        coalesce(sum(movements_all_segments.is_at_start), 0) as customers_at_start,
        coalesce(sum(movements_all_segments.is_lost), 0) as customers_lost,
        coalesce(sum(movements_all_segments.is_new), 0) as new_customers,
        coalesce(sum(movements_all_segments.start_mrr), 0) as start_mrr,
        coalesce(sum(movements_all_segments.churned_mrr), 0) as churned_mrr,
        -- next month's MRR is unknown in the latest month: its movements stay null
        case when not grid.is_latest_month
            then coalesce(sum(movements_all_segments.contraction_mrr), 0)
        end as contraction_mrr,
        case when not grid.is_latest_month
            then coalesce(sum(movements_all_segments.expansion_mrr), 0)
        end as expansion_mrr

    from grid
    left join movements_all_segments
        on grid.month = movements_all_segments.month
        and grid.segment = movements_all_segments.segment
    group by grid.month, grid.segment, grid.is_latest_month

),

final as (

    select
        month,
        segment,
        customers_at_start,
        customers_lost,
        new_customers,
        {{ logo_churn_rate('customers_lost', 'customers_at_start') }} as logo_churn_rate,
        {{ logo_retention_rate('customers_lost', 'customers_at_start') }} as logo_retention_rate,
        start_mrr,
        churned_mrr,
        contraction_mrr,
        expansion_mrr,
        start_mrr - contraction_mrr - churned_mrr as grr_numerator,
        start_mrr + expansion_mrr - contraction_mrr - churned_mrr as nrr_numerator,
        -- least() skips nulls (DuckDB and Spark), so the shared macro would turn an unknown
        -- ratio into 1: only apply it where the ratio exists
        case when contraction_mrr is not null and start_mrr <> 0
            then {{ gross_revenue_retention('start_mrr', 'contraction_mrr', 'churned_mrr') }}
        end as grr,
        {{ net_revenue_retention('start_mrr', 'expansion_mrr', 'contraction_mrr', 'churned_mrr') }}
            as nrr

    from summed

)

select * from final
