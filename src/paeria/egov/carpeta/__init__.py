"""Mi carpeta: what the electronic office shows a citizen of their own
affairs, and the subsanación they answer from it.

Everything here is about the current user only: their expedientes are those
on which *they* hold the Interesado local role (granted when they filed, or by
the unit); their register entries are those whose interested party is the NIF
stored on their user. Nothing is taken from the request to choose whose data
to show, so there is nothing to forge.

The modules: :mod:`.citizen` (who the current user is, and what is theirs),
:mod:`.summary` (what the carpeta shows of it), :mod:`.subsanacion` (the
answer to a request to correct an application) and :mod:`.views` (the page
and the REST endpoints).
"""
