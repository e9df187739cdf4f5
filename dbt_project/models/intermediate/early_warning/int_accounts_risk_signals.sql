-- The signals that deteriorate in the months before a customer leaves, per customer at the start
-- of each month, measured as of the month's last day: falling scores, silence, late payment,
-- open complaints, falling spend. Each becomes a 0/1 flag; thresholds: risk_signal_thresholds().
-- Period-incremental (macros/period_incremental.sql): a daily build rebuilds the months from
-- the earliest one new data changes, reading the five months before it for the trailing
-- windows, and carries the last touch before those from the rows it keeps.
{%- set t = risk_signal_thresholds() %}
{%- set window_months = 5 %}
{{ config(**period_incremental_config('month')) }}

with

account_months as (

    select * from {{ ref('int_accounts_monthly') }}
    where {{ in_rebuilt_periods('month', lookback_months=window_months) }}

),

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

responses as (

    select * from {{ ref('int_survey_responses_joined') }}
    where {{ in_rebuilt_periods('response_month', lookback_months=window_months) }}

),

activities as (

    select * from {{ ref('stg_crm__activities') }}
    where {{ in_rebuilt_periods('activity_date', lookback_months=window_months) }}

),

invoice_lines as (

    select * from {{ ref('int_invoice_lines_enriched') }}

),

payments as (

    select * from {{ ref('stg_finance__payments') }}

),

cases as (

    select * from {{ ref('stg_crm__cases') }}

),

revenue as (

    select * from {{ ref('int_accounts_revenue_summed') }}
    where {{ in_rebuilt_periods('month', lookback_months=window_months) }}

),

{% if is_incremental() %}
-- the last touch of each account before the months read again, from the months kept
touched_before as (

    select
        account_id,
        max(last_touch_date) as last_touch_date

    from {{ this }}
    where not {{ in_rebuilt_periods('month', lookback_months=window_months) }}
    group by account_id

),
{% endif %}

responses_monthly as (

    select
        account_id,
        response_month as month,
        sum(nps_score) as nps_sum,
        count(nps_score) as nps_responses,
        sum(csat_score) as csat_sum,
        count(csat_score) as csat_responses,
        max(responded_date) as last_response_date

    from responses
    group by account_id, response_month

),

activities_monthly as (

    select
        account_id,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as month,
        count(*) as activities,
        max(activity_date) as last_activity_date

    from activities
    group by account_id, cast({{ dbt.date_trunc('month', 'activity_date') }} as date)

),

invoices as (

    select
        invoice_id,
        account_id,
        min(due_date) as due_date,
        min(due_month) as due_month,
        sum(amount) as invoice_amount

    from invoice_lines
    group by invoice_id, account_id

),

invoices_paid as (

    -- paid on time when the payments received by the due date cover the invoice; anything else
    -- (paid after the due date, or still unpaid) is late, and known by the end of the due month
    select
        invoices.account_id,
        invoices.due_month,
        invoices.invoice_id,
        case
            when coalesce(sum(case when payments.payment_date <= invoices.due_date
                then payments.amount else 0 end), 0) >= max(invoices.invoice_amount)
                then 0
            else 1
        end as is_late

    from invoices
    left join payments
        on invoices.invoice_id = payments.invoice_id
    where {{ in_rebuilt_periods('invoices.due_month', lookback_months=window_months) }}
    group by invoices.account_id, invoices.due_month, invoices.invoice_id

),

payments_monthly as (

    select
        account_id,
        due_month as month,
        count(*) as invoices_due,
        sum(is_late) as invoices_late

    from invoices_paid
    group by account_id, due_month

),

complaints as (

    select * from cases
    where is_complaint

),

open_complaints as (

    select
        account_months.account_id,
        account_months.month,
        count(*) as open_complaints

    from account_months
    inner join complaints
        on account_months.account_id = complaints.account_id
        and complaints.opened_at
            < cast({{ dbt.dateadd('day', 1, 'account_months.month_end') }} as timestamp)
        and (
            complaints.resolved_at is null
            or complaints.resolved_at
                >= cast({{ dbt.dateadd('day', 1, 'account_months.month_end') }} as timestamp)
        )
    group by account_months.account_id, account_months.month

),

monthly as (

    select
        account_months.account_id,
        account_months.month,
        account_months.month_end,
        account_months.segment,
        account_months.is_customer_at_start,
        account_months.mrr_at_start,
        -- before the first touch we know of, silence counts from joining or from the data's start
        greatest(lifecycle.created_date, calendar.first_month) as silence_floor_date,
        responses_monthly.nps_sum,
        coalesce(responses_monthly.nps_responses, 0) as nps_responses,
        responses_monthly.csat_sum,
        coalesce(responses_monthly.csat_responses, 0) as csat_responses,
        responses_monthly.last_response_date,
        coalesce(activities_monthly.activities, 0) as activities,
        activities_monthly.last_activity_date,
        coalesce(payments_monthly.invoices_due, 0) as invoices_due,
        coalesce(payments_monthly.invoices_late, 0) as invoices_late,
        coalesce(open_complaints.open_complaints, 0) as open_complaints,
        coalesce(revenue.invoiced_revenue, 0) as invoiced_revenue

    from account_months
    inner join lifecycle
        on account_months.account_id = lifecycle.account_id
    cross join (select min(month) as first_month from months) as calendar
    left join responses_monthly
        on account_months.account_id = responses_monthly.account_id
        and account_months.month = responses_monthly.month
    left join activities_monthly
        on account_months.account_id = activities_monthly.account_id
        and account_months.month = activities_monthly.month
    left join payments_monthly
        on account_months.account_id = payments_monthly.account_id
        and account_months.month = payments_monthly.month
    left join open_complaints
        on account_months.account_id = open_complaints.account_id
        and account_months.month = open_complaints.month
    left join revenue
        on account_months.account_id = revenue.account_id
        and account_months.month = revenue.month

),

windowed as (

    -- an account's months are consecutive, so row frames are month frames: the last three months
    -- are this month and the two before, the prior three the three before those
    select
        account_id,
        month,
        month_end,
        segment,
        is_customer_at_start,
        mrr_at_start,
        silence_floor_date,
        sum(nps_sum) over (partition by account_id order by month
            rows between 2 preceding and current row) as nps_sum_last3,
        sum(nps_responses) over (partition by account_id order by month
            rows between 2 preceding and current row) as nps_responses_last3,
        sum(nps_sum) over (partition by account_id order by month
            rows between 5 preceding and 3 preceding) as nps_sum_prior3,
        sum(nps_responses) over (partition by account_id order by month
            rows between 5 preceding and 3 preceding) as nps_responses_prior3,
        sum(csat_sum) over (partition by account_id order by month
            rows between 2 preceding and current row) as csat_sum_last3,
        sum(csat_responses) over (partition by account_id order by month
            rows between 2 preceding and current row) as csat_responses_last3,
        sum(csat_sum) over (partition by account_id order by month
            rows between 5 preceding and 3 preceding) as csat_sum_prior3,
        sum(csat_responses) over (partition by account_id order by month
            rows between 5 preceding and 3 preceding) as csat_responses_prior3,
        max(greatest(
            coalesce(last_activity_date, silence_floor_date),
            coalesce(last_response_date, silence_floor_date)
        )) over (partition by account_id order by month
            rows between unbounded preceding and current row) as last_touch_date_in_window,
        sum(activities) over (partition by account_id order by month
            rows between 2 preceding and current row) as activities_last3,
        sum(activities) over (partition by account_id order by month
            rows between 5 preceding and 3 preceding) as activities_prior3,
        invoices_due,
        invoices_late,
        open_complaints,
        sum(invoiced_revenue) over (partition by account_id order by month
            rows between 2 preceding and current row) as revenue_last3,
        sum(invoiced_revenue) over (partition by account_id order by month
            rows between 5 preceding and 3 preceding) as revenue_prior3

    from monthly

),

touched as (

    select
        windowed.*,
        {% if is_incremental() -%}
        greatest(windowed.last_touch_date_in_window, touched_before.last_touch_date)
        {%- else -%}
        windowed.last_touch_date_in_window
        {%- endif %} as last_touch_date

    from windowed
    {% if is_incremental() -%}
    left join touched_before
        on windowed.account_id = touched_before.account_id
    {%- endif %}

),

measured as (

    select
        account_id,
        month,
        segment,
        is_customer_at_start,
        mrr_at_start,
        cast(nps_sum_last3 as double) / nullif(nps_responses_last3, 0) as nps_mean_last3,
        cast(nps_sum_prior3 as double) / nullif(nps_responses_prior3, 0) as nps_mean_prior3,
        cast(csat_sum_last3 as double) / nullif(csat_responses_last3, 0) as csat_mean_last3,
        cast(csat_sum_prior3 as double) / nullif(csat_responses_prior3, 0) as csat_mean_prior3,
        last_touch_date,
        {{ dbt.datediff('last_touch_date', 'month_end', 'day') }} as days_since_last_touch,
        activities_last3,
        coalesce(activities_prior3, 0) as activities_prior3,
        invoices_due,
        invoices_late,
        open_complaints,
        revenue_last3,
        coalesce(revenue_prior3, 0) as revenue_prior3

    from touched

),

final as (

    select
        *,
        case
            when nps_mean_last3 - nps_mean_prior3 <= -{{ t['nps_drop_points'] }} then 1
            when csat_mean_last3 - csat_mean_prior3 <= -{{ t['csat_drop_points'] }} then 1
            when nps_mean_last3 <= {{ t['nps_low'] }} then 1
            when csat_mean_last3 <= {{ t['csat_low'] }} then 1
            else 0
        end as score_decline_flag,
        case
            when days_since_last_touch > {{ t['silent_days'] }} then 1
            when activities_prior3 >= {{ t['activities_before_silence'] }}
                and activities_last3 = 0 then 1
            else 0
        end as silence_flag,
        case when invoices_late > 0 then 1 else 0 end as late_payment_flag,
        case when open_complaints > 0 then 1 else 0 end as open_complaint_flag,
        case
            when revenue_prior3 > 0
                and revenue_last3 < {{ t['spend_drop_ratio'] }} * revenue_prior3 then 1
            else 0
        end as spend_decline_flag

    from measured
    where {{ in_rebuilt_periods('month') }}

)

select * from final
