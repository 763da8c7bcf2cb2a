"""Small building blocks any room of the window may use: the style (fonts, role colours),
exporting images and data, form controls, the view frame with its Export menu. They know nothing
of training or of the window."""
