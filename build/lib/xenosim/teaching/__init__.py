"""Teaching layer: an interactive tumour in the browser (Mesa SolaraViz) and lessons."""
