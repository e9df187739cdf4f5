{#- Survey metric formulas, written once. Definitions: docs/metrics.md.
    Counts are passed in so the same formula serves any grain. -#}

{#- NPS = % promoters (9-10) - % detractors (0-6), -100..100; null when nobody answered. -#}
{% macro nps(promoters, detractors, responses) -%}
    {{ return(adapter.dispatch('nps')(promoters, detractors, responses)) }}
{%- endmacro %}

{% macro default__nps(promoters, detractors, responses) -%}
    case when {{ responses }} > 0
        then 100.0 * ({{ promoters }} - {{ detractors }}) / {{ responses }}
    end
{%- endmacro %}

{#- Spark: the same formula in doubles (DuckDB's `/` returns a double; Spark's a decimal
    rounded to 6 places when an operand is a decimal such as 100.0). -#}
{% macro spark__nps(promoters, detractors, responses) -%}
    case when {{ responses }} > 0
        then cast(100.0 * ({{ promoters }} - {{ detractors }}) as double) / {{ responses }}
    end
{%- endmacro %}

{#- 95% margin of error of NPS, in NPS points:
    1.96 * 100 * sqrt(((p + d) - (p - d)^2) / n), p and d the promoter and detractor shares. -#}
{% macro nps_margin_of_error(promoters, detractors, responses) -%}
    {{ return(adapter.dispatch('nps_margin_of_error')(promoters, detractors, responses)) }}
{%- endmacro %}

{% macro default__nps_margin_of_error(promoters, detractors, responses) -%}
    case when {{ responses }} > 0
        then 1.96 * 100.0 * sqrt(
            (
                (1.0 * {{ promoters }} + {{ detractors }}) / {{ responses }}
                - power((1.0 * {{ promoters }} - {{ detractors }}) / {{ responses }}, 2)
            ) / {{ responses }}
        )
    end
{%- endmacro %}

{% macro spark__nps_margin_of_error(promoters, detractors, responses) -%}
    case when {{ responses }} > 0
        then 1.96 * 100.0 * sqrt(
            (
                cast(1.0 * {{ promoters }} + {{ detractors }} as double) / {{ responses }}
                - power(cast(1.0 * {{ promoters }} - {{ detractors }} as double) / {{ responses }}, 2)
            ) / {{ responses }}
        )
    end
{%- endmacro %}

{#- NPS category of one 0-10 score. -#}
{% macro nps_category(score) -%}
    case
        when {{ score }} >= 9 then 'promoter'
        when {{ score }} >= 7 then 'passive'
        when {{ score }} >= 0 then 'detractor'
    end
{%- endmacro %}
