"""What the demo holds: units, procedures, expedientes and accounts, as plain
tuples. Deterministic, so that a demo reads the same every time."""

DEMO_PASSWORD = "paeria-demo"  # noqa: S105 - documented demo credential

UNITS = (
    ("urbanismo", "Urbanisme", "LA0003062"),
    ("serveis-socials", "Serveis Socials", "LA0003071"),
    ("hisenda", "Hisenda", "LA0003080"),
)

# (id, title, SIA, unit, amount, unit of time, silence, online, subjects, documents)
PROCEDURES = (
    (
        "llicencia-obra-menor",
        "Llicència d'obra menor",
        "2070601",
        "urbanismo",
        1,
        "months",
        "estimatorio",
        True,
        ["Urbanisme", "Habitatge"],
        [
            ("Projecte o memòria descriptiva", True, "TD14"),
            ("Pressupost", True, "TD99"),
        ],
    ),
    (
        "ajut-urgencia-social",
        "Ajut d'urgència social",
        "2070602",
        "serveis-socials",
        20,
        "business_days",
        "desestimatorio",
        True,
        ["Serveis socials"],
        [("Informe social", False, "TD13"), ("Justificant d'ingressos", True, "TD14")],
    ),
    (
        "fraccionament-deutes",
        "Fraccionament de deutes tributaris",
        "2070603",
        "hisenda",
        6,
        "months",
        "desestimatorio",
        True,
        ["Tributs"],
        [("Sol·licitud", True, "TD14")],
    ),
    (
        "instancia-generica",
        "Instància genèrica",
        "2070604",
        "hisenda",
        3,
        "months",
        "desestimatorio",
        True,
        ["General"],
        [],
    ),
)

# (unit, procedure, title, (identifier type, identifier, name), documents)
EXPEDIENTES = (
    (
        "urbanismo",
        "llicencia-obra-menor",
        "Reforma de cuina al carrer Major, 12",
        ("NIF", "12345678Z", "Anna Puig Soler"),
        [
            ("Sol·licitud de llicència", "TD14", "ciudadano"),
            ("Pressupost", "TD99", "ciudadano"),
        ],
    ),
    (
        "urbanismo",
        "llicencia-obra-menor",
        "Canvi de tancament a l'avinguda de Blondel, 5",
        ("NIE", "X1234567L", "Joao Silva"),
        [("Sol·licitud de llicència", "TD14", "ciudadano")],
    ),
    (
        "serveis-socials",
        "ajut-urgencia-social",
        "Ajut per a subministraments bàsics",
        ("NIF", "87654321X", "Marta Vidal Roca"),
        [
            ("Sol·licitud d'ajut", "TD14", "ciudadano"),
            ("Informe de la treballadora social", "TD13", "administracion"),
        ],
    ),
    (
        "hisenda",
        "fraccionament-deutes",
        "Fraccionament IBI 2026",
        ("CIF", "B25123458", "Fruites del Segrià, SL"),
        [("Sol·licitud de fraccionament", "TD14", "ciudadano")],
    ),
)


# Other demo accounts (same password): a citizen whose NIF is the first
# expediente's interested party (she sees it in Mi carpeta), a register clerk
# and an internal auditor (global roles).
CITIZEN = ("ciutadana.demo", "Anna Puig Soler", "12345678Z")
GLOBAL_STAFF = (
    ("registrador.demo", "Registrador — Registre general", "Registrador"),
    ("auditor.demo", "Auditora — Control intern", "Auditor"),
)


# The demo signers: each unit's head signs with a certificate of the
# development PKI (signing/pki.py, PIN "paeria-demo"): (user id, full name,
# the number of their NIF; its letter is computed).
SIGNERS = tuple(
    (f"responsable.{unit_id}", f"Responsable — {title}", 40000001 + index)
    for index, (unit_id, title, _dir3) in enumerate(UNITS)
)
