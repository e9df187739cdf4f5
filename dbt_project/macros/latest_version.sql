{#- Raw tables keep every delivered version of a row (one per batch). The current version of a
    key is the one from the latest batch; within a batch keys are unique (the loader quarantines
    duplicates), the line number only breaks ties defensively. -#}
{% macro latest_version(relation, key_columns) -%}
    select * from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by _batch_id desc, _line_number desc
            ) as _version_rank
        from {{ relation }}
    ) as versions
    where _version_rank = 1
{%- endmacro %}
