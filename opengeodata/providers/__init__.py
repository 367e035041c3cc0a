"""pygeoapi provider plugins of opengeodata."""
