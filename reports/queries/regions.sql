-- Options for the region filter (region of the customer's head office).
select distinct region, replace(region, '_', ' ') as region_label
from warehouse.customer_summary
where region <> 'unknown'
order by region
