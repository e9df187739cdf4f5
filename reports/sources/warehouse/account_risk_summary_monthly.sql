-- Thin select: all logic lives in the dbt mart, reports only read it.
select * from marts.account_risk_summary_monthly
