"""Pure helpers: parsing, normalising, pseudonymising, counting and rendering.

Nothing here imports Dagster or dbt, so every rule can be unit-tested in milliseconds.
"""
