"""Data quality with Great Expectations: suites in `expectations/suites/`, their rules run
where the data is (our SQL on DuckDB, GX's own PostgreSQL data source on the team
warehouse). GX is imported only where it validates or renders the Data Docs."""
