"""rnnlab: a desktop playground for training and looking inside recurrent neural networks."""

__version__ = "0.1.0"
