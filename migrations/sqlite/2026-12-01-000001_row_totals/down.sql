DROP VIEW row_totals;
