"""The offline basemap: the demo city drawn from the same OpenStreetMap extract the
simulator drives on, served by the app itself (no tiles or fonts from the internet)."""
