"""Reference data of the territory: the 16 voivodeships of TERYT and the programme's three macroregions.

Macroregions follow the three PO WER 2.5 projects (../shared/MODEL.md). Dolnośląskie (02) took part in none of
them, so it belongs to no macroregion until an administrator assigns it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Codes and names as GUS publishes them in the TERC list (NAZWA in upper case).
VOIVODESHIPS: dict[str, str] = {
    "02": "DOLNOŚLĄSKIE",
    "04": "KUJAWSKO-POMORSKIE",
    "06": "LUBELSKIE",
    "08": "LUBUSKIE",
    "10": "ŁÓDZKIE",
    "12": "MAŁOPOLSKIE",
    "14": "MAZOWIECKIE",
    "16": "OPOLSKIE",
    "18": "PODKARPACKIE",
    "20": "PODLASKIE",
    "22": "POMORSKIE",
    "24": "ŚLĄSKIE",
    "26": "ŚWIĘTOKRZYSKIE",
    "28": "WARMIŃSKO-MAZURSKIE",
    "30": "WIELKOPOLSKIE",
    "32": "ZACHODNIOPOMORSKIE",
}


@dataclass(frozen=True)
class MacroregionReference:
    code: str
    name: str
    description: str
    voivodeship_codes: tuple[str, ...]


MACROREGIONS: tuple[MacroregionReference, ...] = (
    MacroregionReference(
        code="east",
        name="Makroregion I — wschodni",
        description=(
            "Projekt „Liderzy kooperacji”: model dla gmin wiejskich. Lider: ROPS w Rzeszowie; partnerzy: "
            "ROPS w Białymstoku, Lublinie i Kielcach oraz Mazowieckie Centrum Polityki Społecznej."
        ),
        voivodeship_codes=("06", "14", "18", "20", "26"),
    ),
    MacroregionReference(
        code="north-west",
        name="Makroregion II — północno-zachodni",
        description=(
            "Projekt „Kooperacja – efektywna i skuteczna”: model dla gmin miejsko-wiejskich. Lider: ROPS "
            "w Toruniu; partnerzy: ROPS w Zielonej Górze, Gdańsku, Olsztynie, Poznaniu i Szczecinie oraz "
            "uczelniane centrum badawcze."
        ),
        voivodeship_codes=("04", "08", "22", "28", "30", "32"),
    ),
    MacroregionReference(
        code="south",
        name="Makroregion III — południowy",
        description=(
            "Projekt „Kooperacje 3D – model wielosektorowej współpracy na rzecz wsparcia osób i rodzin”: model "
            "dla miast powyżej 20 tys. mieszkańców. Lider: ROPS w Katowicach; partnerzy: RCPS w Łodzi, ROPS "
            "w Krakowie i ROPS w Opolu."
        ),
        voivodeship_codes=("24", "10", "12", "16"),
    ),
)

UNASSIGNED_VOIVODESHIPS: tuple[str, ...] = tuple(
    sorted(set(VOIVODESHIPS) - {code for region in MACROREGIONS for code in region.voivodeship_codes})
)
