-- Thin select: all logic lives in the dbt mart, reports only read it.
select * from marts.customer_value_summary
