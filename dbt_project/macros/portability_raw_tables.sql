{#- Spark only: register the loader's raw tables, exported to Parquet, as tables of the `raw`
    database so `source('crm', 'accounts')` resolves to raw.crm__accounts on both engines.
    DuckDB needs nothing: the loader writes raw.* into the warehouse file itself.

    Called by loyalty_warehouse.spark.register_raw_tables before `dbt build --target spark`:
        dbt run-operation register_raw_tables --args '{location: /abs/dir, tables: [crm__accounts]}'
    Each table is <location>/<table>/ (a folder of Parquet files). The tables are external
    (dropping one leaves its files), so re-registering after a new export is a drop + create.
    A table may be given as {name: ..., columns: "a string, b bigint"}: with its schema spelled
    out Spark does not open the files to infer it (one Spark job less per table). -#}
{% macro register_raw_tables(location, tables, schema='raw') %}
    {% if target.type != 'spark' %}
        {{ exceptions.raise_compiler_error(
            "register_raw_tables is for the spark target; on " ~ target.type
            ~ " the loader writes the raw schema itself"
        ) }}
    {% endif %}
    {% do run_query('create database if not exists ' ~ schema) %}
    {% for item in tables %}
        {% set table = item if item is string else item['name'] %}
        {% set columns = none if item is string else item.get('columns') %}
        {% set path = location.rstrip('/') ~ '/' ~ table %}
        {% do run_query('drop table if exists ' ~ schema ~ '.`' ~ table ~ '`') %}
        {% do run_query(
            'create table ' ~ schema ~ '.`' ~ table ~ '`'
            ~ (' (' ~ columns ~ ')' if columns else '')
            ~ " using parquet location '" ~ path | replace("'", "\\'") ~ "'"
        ) %}
    {% endfor %}
    {{ log('registered ' ~ tables | length ~ ' tables in ' ~ schema ~ ' from ' ~ location, info=true) }}
{% endmacro %}
