"""The console's screens: the main view, the graph, and the dialogs."""
