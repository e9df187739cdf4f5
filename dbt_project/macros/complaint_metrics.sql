{#- Complaint-handling formulas and service targets, written once.
    Definitions: docs/metrics.md. -#}

{#- Agreed time to follow a complaint up with the customer, in calendar days after the day it
    was opened (a macro, not a var, so the constant lives in one place we own). -#}
{% macro complaint_follow_up_days() -%}3{%- endmacro %}

{#- Service targets in hours per severity: kind = 'first_response' or 'resolution'. -#}
{% macro complaint_target_hours(severity, kind) -%}
    {%- set targets = {
        'first_response': {'critical': 1, 'high': 4, 'medium': 8, 'low': 24},
        'resolution': {'critical': 24, 'high': 48, 'medium': 120, 'low': 240},
    } -%}
    case {{ severity }}
        {%- for level, hours in targets[kind].items() %}
        when '{{ level }}' then {{ hours }}
        {%- endfor %}
    end
{%- endmacro %}

{#- Hours between two timestamps, with fractions (seconds / 3600; a double, as Spark would
    round a decimal quotient to six digits). -#}
{% macro complaint_hours_between(start_ts, end_ts) -%}
    (cast({{ dbt.datediff(start_ts, end_ts, 'second') }} as double) / 3600)
{%- endmacro %}

{#- Whether a handling step met its target: 1 done within target, 0 done late or still not done
    after the target elapsed by the as-of time, null while still within target (not yet known). -#}
{% macro complaint_within_target(hours_taken, target_hours, opened_at, as_of_ts) -%}
    case
        when {{ hours_taken }} is not null and {{ hours_taken }} <= {{ target_hours }} then 1
        when {{ hours_taken }} is not null then 0
        when {{ complaint_hours_between(opened_at, as_of_ts) }} > {{ target_hours }} then 0
    end
{%- endmacro %}
