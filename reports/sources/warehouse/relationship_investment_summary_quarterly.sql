-- Thin select: all logic lives in the dbt mart, reports only read it.
select * from marts.relationship_investment_summary_quarterly
