{#- Promise (commitment) formulas, written once. Definitions: docs/metrics.md. -#}

{#- Status of a promise as of a date (the data end):
    kept_on_time  delivered on or before its due date
    kept_late     delivered after its due date
    broken        marked broken (will not be delivered)
    open_overdue  not delivered, not broken, due date before the as-of date
    open_not_due  not delivered, not broken, due on or after the as-of date -#}
{% macro promise_commitment_status(status, due_date, delivered_date, as_of_date) -%}
    case
        when {{ status }} = 'broken' then 'broken'
        when {{ delivered_date }} is not null and {{ delivered_date }} <= {{ due_date }}
            then 'kept_on_time'
        when {{ delivered_date }} is not null then 'kept_late'
        when {{ due_date }} < {{ as_of_date }} then 'open_overdue'
        else 'open_not_due'
    end
{%- endmacro %}

{#- Days from due date to delivery: positive = late, negative = early; null until delivered. -#}
{% macro promise_delivery_lag_days(due_date, delivered_date) -%}
    {{ dbt.datediff(due_date, delivered_date, 'day') }}
{%- endmacro %}

{#- Promise-keeping rate, 0..1: kept on time / promises whose outcome is known or overdue
    (kept on time + kept late + broken + open overdue). Promises not yet due are left out;
    null when nothing was due. The numerator is a double so Spark does not round the ratio. -#}
{% macro promise_kept_rate(kept_on_time, kept_late, broken, open_overdue) -%}
    {{ share(
        'cast(' ~ kept_on_time ~ ' as double)',
        '(' ~ kept_on_time ~ ') + (' ~ kept_late ~ ') + (' ~ broken ~ ') + (' ~ open_overdue ~ ')'
    ) }}
{%- endmacro %}
