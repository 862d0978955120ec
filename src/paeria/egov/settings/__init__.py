"""The portal's settings (plone.registry) and the deadline calendar built on them."""
