-- Thin select: all logic lives in the dbt mart, reports only read it.
select * from marts.contact_cadence_summary_monthly
