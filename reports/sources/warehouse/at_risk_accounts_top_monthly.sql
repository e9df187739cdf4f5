-- Thin select: all logic lives in the dbt mart, reports only read it.
select * from marts.at_risk_accounts_top_monthly
