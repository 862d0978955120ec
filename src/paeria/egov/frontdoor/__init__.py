"""The citizen's front door: the home page of the electronic office, the menu
a citizen gets instead of Plone's editing toolbar, and the council's look
(logo, colours) on every page."""
