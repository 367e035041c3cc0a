"""opengeodata: an open geodata catalogue and tile server for a city."""

__version__ = "0.1.0"
