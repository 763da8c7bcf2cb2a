"""The main window: layout, menus and shortcuts, settings that persist, the training bar and
banner. It creates the panels, plots, inspector and training controller and wires their signals;
nothing else in the window knows more than one room."""
