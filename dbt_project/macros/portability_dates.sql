{#- dbt.datediff on Spark, counted the way DuckDB counts it.

    DuckDB's date_diff(part, a, b) counts the part's boundaries crossed from a to b: months as
    (year(b) - year(a)) * 12 + month(b) - month(a), days as the difference of the dates, hours
    as whole hours since the epoch of b minus those of a, and so on. dbt-spark's spark__datediff
    differs in three ways this project hits:
    - months come from months_between() plus a day-of-month correction, one month more whenever
      both dates are month ends and a's day is the later one: a = 2024-01-31, b = 2024-02-29 is
      1 on DuckDB and 2 on dbt-spark; tenure to a month end (int_accounts_lifecycle) hits that
      for every account created on the 29th-31st. Quarters are approximated with 365/4 days;
    - seconds, minutes and hours go through to_unix_timestamp and divide, which leaves a
      fraction (1/1000 for milliseconds) where DuckDB counts whole boundaries;
    - the result is an int for days and years, where DuckDB's is a bigint a contract declares.
    So every part is counted here as DuckDB counts it, always as a bigint. Timestamps are
    naive (profiles.yml: TIMESTAMP_NTZ) and read as UTC (the session time zone), like DuckDB's.
    Weeks follow dbt-duckdb's own week formula (days // 7, corrected by the weekday).

    This overrides dbt-spark's macro for the whole project: dispatch in the `dbt` namespace
    looks in the root project first. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set a = first_date -%}
    {%- set b = second_date -%}
    {%- set part = datepart | lower -%}
    {%- set ts_a = 'cast(' ~ a ~ ' as timestamp_ltz)' -%}
    {%- set ts_b = 'cast(' ~ b ~ ' as timestamp_ltz)' -%}
    cast(
    {%- if part == 'year' -%}
        (year({{ b }}) - year({{ a }}))
    {%- elif part == 'quarter' -%}
        ((year({{ b }}) * 4 + quarter({{ b }})) - (year({{ a }}) * 4 + quarter({{ a }})))
    {%- elif part == 'month' -%}
        ((year({{ b }}) * 12 + month({{ b }})) - (year({{ a }}) * 12 + month({{ a }})))
    {%- elif part == 'week' -%}
        (div(datediff(cast({{ b }} as date), cast({{ a }} as date)), 7) + case
            when dayofweek({{ a }}) <= dayofweek({{ b }}) then
                case when {{ a }} <= {{ b }} then 0 else -1 end
            else
                case when {{ a }} <= {{ b }} then 1 else 0 end
        end)
    {%- elif part == 'day' -%}
        datediff(cast({{ b }} as date), cast({{ a }} as date))
    {%- elif part == 'hour' -%}
        (floor(unix_seconds({{ ts_b }}) / 3600) - floor(unix_seconds({{ ts_a }}) / 3600))
    {%- elif part == 'minute' -%}
        (floor(unix_seconds({{ ts_b }}) / 60) - floor(unix_seconds({{ ts_a }}) / 60))
    {%- elif part == 'second' -%}
        (unix_seconds({{ ts_b }}) - unix_seconds({{ ts_a }}))
    {%- elif part == 'millisecond' -%}
        (unix_millis({{ ts_b }}) - unix_millis({{ ts_a }}))
    {%- elif part == 'microsecond' -%}
        (unix_micros({{ ts_b }}) - unix_micros({{ ts_a }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "dbt.datediff: date part '" ~ datepart ~ "' is not implemented for Spark in "
            ~ "macros/portability_dates.sql"
        ) }}
    {%- endif %} as bigint)
{%- endmacro %}

{#- dbt.dateadd on Spark, with naive timestamps.

    profiles.yml sets spark.sql.timestampType=TIMESTAMP_NTZ so that `timestamp` means what it
    means on DuckDB: a timestamp without time zone (the loader's raw timestamps are naive, and a
    contract's `timestamp` then matches on both engines). dbt-spark's spark__dateadd rebuilds
    the result with to_timestamp(<unix seconds>), which is NULL for TIMESTAMP_NTZ: every
    dateadd would silently be null (int_months_spined.month_end was). timestampadd() adds
    calendar units to a naive timestamp directly and clamps month ends like DuckDB
    (2024-01-31 + 1 month = 2024-02-29). Like DuckDB's date + interval, the result is a
    timestamp (wrap it in cast(... as date) for a date); null in, null out. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, {{ interval }}, cast({{ from_date_or_timestamp }} as timestamp_ntz))
{%- endmacro %}
