"""Osseo: software that runs an osseointegration programme."""
