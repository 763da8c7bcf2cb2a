"""The side panels: corpus (left), model and training settings (left), sampling (right), and
the forms and charts they are made of. They import no torch and nothing from ``gui.training``:
they say what the user asked for by signals, and the window passes that on."""
