"""The portal catalog's full-text indexes, made to merge concurrent changes."""
