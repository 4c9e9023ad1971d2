"""The council deck: a typed view model of the slides and its builder from the report data."""
