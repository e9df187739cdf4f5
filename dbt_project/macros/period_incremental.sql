{#
    Period-incremental models: a model whose rows are periods (an account's month, a month's
    totals) rebuilds on a daily run only the periods new data can change, and keeps the rest.

    The loader records, for every batch, the first day whose month it can change (a dated fact:
    the earliest date of its rows, of the rows it replaces and of older versions of its keys; a
    snapshot such as the accounts file: any month). The orchestration passes the earliest such
    day since the last successful build as `--vars '{rebuild_from: YYYY-MM-DD}'`
    (loyalty_warehouse.transform.build_window). A model configured with
    `period_incremental_config()` then deletes its rows from that period on (minus the months it
    looks back, e.g. a "next month's MRR" column) and appends them again.

    Without the var (a hand-run `dbt build`) every period is rebuilt, and `--full-refresh`
    rebuilds the table, so both stay correct; the full-refresh-equals-incremental test
    (tests/test_incremental.py) checks the daily path gives the same marts. On Spark the
    models are plain tables (Parquet tables have no row delete).

    Use, in a model:
        {{ config(**period_incremental_config('month')) }}
        ... where {{ in_rebuilt_periods('month') }}
#}

{% macro period_incremental_config(column, grain='month', lookback_months=0) %}
    {%- if target.type == 'spark' -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': [
            "{{ period_rebuild_delete('" ~ column ~ "', '" ~ grain ~ "', "
                ~ lookback_months ~ ") }}"
        ],
    }) }}
{% endmacro %}


{#- The first period an incremental build rebuilds, as a SQL date. -#}
{% macro rebuild_start(grain='month', lookback_months=0) -%}
    {%- set day = "cast('" ~ var('rebuild_from') ~ "' as date)" -%}
    cast({{ dbt.dateadd('month', -1 * lookback_months, dbt.date_trunc(grain, day)) }} as date)
{%- endmacro %}


{#- A filter keeping the periods this build rebuilds: all of them unless the model is being
    built incrementally with a rebuild window. -#}
{% macro in_rebuilt_periods(column, grain='month', lookback_months=0) -%}
    {%- if is_incremental() and var('rebuild_from', none) -%}
        {{ column }} >= {{ rebuild_start(grain, lookback_months) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook: drop the periods about to be rebuilt (no-op when the table is new). -#}
{% macro period_rebuild_delete(column, grain='month', lookback_months=0) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_rebuilt_periods(column, grain, lookback_months) }}
    {%- endif -%}
{%- endmacro %}
