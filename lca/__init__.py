"""lca: cradle-to-grave life-cycle assessment (EF 3.1, 16 categories) of AI training hardware."""

__version__ = "0.1.0"
