-- The reporting calendar: months with a KPI value (the period filter's range).
select distinct month
from warehouse.kpi_scorecard
order by month
