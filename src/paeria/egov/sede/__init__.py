"""The citizen's electronic office (sede electrónica): registering with a NIF/NIE
(:mod:`.nif`), starting a procedure online and filing a generic application
(:mod:`.filing`), over Classic UI (:mod:`.browser`) and REST (:mod:`.services`).

Everything a citizen files goes through the register's one code path
(``registro.register.register_entry``); see docs/sede.md.
"""
