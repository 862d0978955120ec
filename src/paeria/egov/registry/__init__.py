"""The portal's settings (plone.registry) and the legal deadline calendar built from them."""
