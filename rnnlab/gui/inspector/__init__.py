"""Looking inside the model: the probe bar and the views of an ``Inspection`` (gates and states,
saturation, a unit on the text, connectivity, guesses, gradient flow, norms and spectra). They
import no torch and nothing from ``gui.training``: the window feeds them inspections and passes
their probe requests to the controller."""
