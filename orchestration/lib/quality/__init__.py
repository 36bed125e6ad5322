"""Data quality with Great Expectations: suites in `expectations/suites/`, run on frames
prepared here. GX is imported only inside the functions that validate."""
