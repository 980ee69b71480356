"""kg: a knowledge graph of AI-infrastructure strategy, served over GraphQL and SPARQL."""

__version__ = "0.1.0"
