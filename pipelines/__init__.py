"""The ETL of opengeodata: extract, validate, normalize, export, publish."""
