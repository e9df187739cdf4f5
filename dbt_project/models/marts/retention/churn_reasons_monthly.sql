-- Why customers left, per month per segment (and all segments), on the contract's taxonomy.
with

account_months as (

    select * from {{ ref('int_accounts_monthly') }}

),

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

reasons as (

    {% for reason in retention_churn_reasons() -%}
    select '{{ reason }}' as churn_reason
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

churned as (

    -- every account that left in the month, including one that joined in the same month; the
    -- MRR it took is its contracted MRR on the first day of that month
    select
        account_months.month,
        account_months.segment,
        lifecycle.churn_reason,
        account_months.mrr_at_start

    from account_months
    inner join lifecycle
        on account_months.account_id = lifecycle.account_id
    where account_months.churned_in_month

),

churned_all_segments as (

    select * from churned
    union all
    select month, 'all' as segment, churn_reason, mrr_at_start from churned

),

grid as (

    select months.month, segments.segment, reasons.churn_reason
    from months
    cross join (
        select distinct segment from lifecycle
        union all
        select 'all' as segment
    ) as segments
    cross join reasons

),

counted as (

    select
        grid.month,
        grid.segment,
        grid.churn_reason,
        count(churned_all_segments.churn_reason) as churned_customers,
        coalesce(sum(churned_all_segments.mrr_at_start), 0) as lost_mrr

    from grid
    left join churned_all_segments
        on grid.month = churned_all_segments.month
        and grid.segment = churned_all_segments.segment
        and grid.churn_reason = churned_all_segments.churn_reason
    group by grid.month, grid.segment, grid.churn_reason

),

final as (

    select
        month,
        segment,
        churn_reason,
        cast(churned_customers as bigint) as churned_customers,
        cast(lost_mrr as decimal(18, 2)) as lost_mrr,
        cast({{ share(
            'churned_customers',
            'sum(churned_customers) over (partition by month, segment)'
        ) }} as double) as share_of_churn

    from counted

)

select * from final
