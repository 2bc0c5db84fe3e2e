"""Reading tables from files (CSV, Parquet) with one clear error for each way a file can be wrong."""

from explicable.io.tables import read_table

__all__ = ["read_table"]
