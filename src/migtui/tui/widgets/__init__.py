"""The console's panes, one module each, named for what they show."""
