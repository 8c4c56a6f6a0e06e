"""Validation checks, one module per family: schema, sanity, cross-profile, assets, glyphs."""
