{#- Red/amber/green status of a KPI value against its target, written once.
    green: target met; amber: missed but not beyond the amber threshold; red: beyond it.
    direction says whether higher values are better. Null when there is no value or target. -#}
{% macro rag_status(value, target, amber_threshold, direction) -%}
    case
        when {{ value }} is null or {{ target }} is null then null
        when {{ direction }} = 'higher_is_better' then
            case
                when {{ value }} >= {{ target }} then 'green'
                when {{ value }} >= {{ amber_threshold }} then 'amber'
                else 'red'
            end
        else
            case
                when {{ value }} <= {{ target }} then 'green'
                when {{ value }} <= {{ amber_threshold }} then 'amber'
                else 'red'
            end
    end
{%- endmacro %}

{#- Whether a change in a KPI is an improvement, given its direction. -#}
{% macro kpi_trend(change, direction) -%}
    case
        when {{ change }} is null then null
        when {{ change }} = 0 then 'flat'
        when ({{ change }} > 0) = ({{ direction }} = 'higher_is_better') then 'improving'
        else 'worsening'
    end
{%- endmacro %}

{#- Months compared before and after an improvement action's completion month. -#}
{% macro impact_window_months() -%}3{%- endmacro %}
