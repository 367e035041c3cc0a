"""Vector tiles: PMTiles archives read per version and served as OGC API Tiles 1.0."""
