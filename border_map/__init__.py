"""border_map: an interactive web map of border disputes, first the April 2021 Batken clashes."""
