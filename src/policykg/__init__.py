"""policykg: a government work plan as a knowledge graph of its policies, targets and units."""

__all__ = ["__version__"]

__version__ = "0.1.0"
