"""The demo's territory and its three pilot gminy, as plain data.

The TERYT codes, names and kinds are the real ones (TERC, 1 January 2020) so that loading the official register later
updates these rows in place; the demo does not need the TERC file. Everything about people, streets and most
institution names is synthetic.

There is no pilot model yet (the `monitoring` context will hold pilots: which gmina tests which variant of the model,
from when, under which agreement). Until then the variant is written into the partnership's description, and
`PILOTS` below is the definition a later loader can turn into pilot records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from kooperacja.directory.models import InstitutionKind as K
from kooperacja.territory.models import GminaKind

# The 16 voivodeships and the programme's three macroregions come from the territory context
# (kooperacja.territory.reference, seeded by kooperacja.territory.services.macroregions_seed).


@dataclass(frozen=True)
class Rops:
    """The regional social policy centre of a voivodeship (real names; addresses in the demo are synthetic)."""

    voivodeship_code: str
    name: str
    short_name: str
    city: str
    postal_prefix: str


ROPS: tuple[Rops, ...] = (
    Rops("02", "Dolnośląski Ośrodek Polityki Społecznej", "DOPS", "Wrocław", "50"),
    Rops("04", "Regionalny Ośrodek Polityki Społecznej w Toruniu", "ROPS Toruń", "Toruń", "87"),
    Rops("06", "Regionalny Ośrodek Polityki Społecznej w Lublinie", "ROPS Lublin", "Lublin", "20"),
    Rops("08", "Regionalny Ośrodek Polityki Społecznej w Zielonej Górze", "ROPS Zielona Góra", "Zielona Góra", "65"),
    Rops("10", "Regionalne Centrum Polityki Społecznej w Łodzi", "RCPS Łódź", "Łódź", "90"),
    Rops("12", "Regionalny Ośrodek Polityki Społecznej w Krakowie", "ROPS Kraków", "Kraków", "30"),
    Rops("14", "Mazowieckie Centrum Polityki Społecznej", "MCPS", "Warszawa", "02"),
    Rops("16", "Regionalny Ośrodek Polityki Społecznej w Opolu", "ROPS Opole", "Opole", "45"),
    Rops("18", "Regionalny Ośrodek Polityki Społecznej w Rzeszowie", "ROPS Rzeszów", "Rzeszów", "35"),
    Rops("20", "Regionalny Ośrodek Polityki Społecznej w Białymstoku", "ROPS Białystok", "Białystok", "15"),
    Rops("22", "Regionalny Ośrodek Polityki Społecznej w Gdańsku", "ROPS Gdańsk", "Gdańsk", "80"),
    Rops("24", "Regionalny Ośrodek Polityki Społecznej Województwa Śląskiego", "ROPS Katowice", "Katowice", "40"),
    Rops("26", "Regionalny Ośrodek Polityki Społecznej w Kielcach", "ROPS Kielce", "Kielce", "25"),
    Rops("28", "Regionalny Ośrodek Polityki Społecznej w Olsztynie", "ROPS Olsztyn", "Olsztyn", "10"),
    Rops("30", "Regionalny Ośrodek Polityki Społecznej w Poznaniu", "ROPS Poznań", "Poznań", "60"),
    Rops("32", "Regionalny Ośrodek Polityki Społecznej w Szczecinie", "ROPS Szczecin", "Szczecin", "70"),
)


@dataclass(frozen=True)
class Partner:
    """A partner institution of a pilot gmina. `town` defaults to the gmina's seat."""

    kind: str
    name: str
    short_name: str = ""
    town: str = ""


@dataclass(frozen=True)
class Pilot:
    key: str
    variant: str
    variant_note: str
    voivodeship_code: str
    county_code: str
    county_name: str
    county_kind_label: str
    gmina_code: str
    gmina_name: str
    gmina_kind: str
    gmina_kind_label: str
    town: str
    town_postal_code: str
    county_seat: str
    county_seat_loc: str  # "w Krośnie": the seat in the locative, for the county institutions' names
    county_seat_postal_code: str
    latitude: str
    longitude: str
    ops_name: str
    ops_short_name: str
    pcpr_name: str
    partnership_name: str
    partnership_has_county: bool
    established_on: datetime.date
    partners: tuple[Partner, ...]
    population: int | None = None


P = Partner

PILOTS: tuple[Pilot, ...] = (
    Pilot(
        key="city",
        variant="Kooperacje 3D",
        variant_note=(
            "Miasto powyżej 20 tys. mieszkańców testuje wariant „Kooperacje 3D – model wielosektorowej współpracy "
            "na rzecz wsparcia osób i rodzin”: Partnerski Zespół Kooperacyjny instytucji miasta prowadzony przez "
            "MOPS jako lidera instytucjonalnego oraz Zadaniowe Zespoły Kooperacyjne dla osób i rodzin."
        ),
        voivodeship_code="24",
        county_code="2473",
        county_name="Rybnik",
        county_kind_label="miasto na prawach powiatu",
        gmina_code="2473011",
        gmina_name="Rybnik",
        gmina_kind=GminaKind.URBAN,
        gmina_kind_label="gmina miejska",
        town="Rybnik",
        town_postal_code="44-200",
        county_seat="Rybnik",
        county_seat_loc="w Rybniku",
        county_seat_postal_code="44-200",
        latitude="50.0971",
        longitude="18.5418",
        ops_name="Miejski Ośrodek Pomocy Społecznej w Rybniku",
        ops_short_name="MOPS Rybnik",
        pcpr_name="Miejskie Centrum Pomocy Rodzinie w Rybniku",
        partnership_name="Partnerski Zespół Kooperacyjny w Rybniku",
        partnership_has_county=False,
        established_on=datetime.date(2019, 3, 1),
        population=138_000,  # rounded (GUS, 2019); the city is well above the 20,000 of the variant
        partners=(
            P(K.SCHOOL, "Szkoła Podstawowa nr 7 w Rybniku", "SP 7"),
            P(K.SCHOOL, "Szkoła Podstawowa nr 18 w Rybniku", "SP 18"),
            P(K.KINDERGARTEN, "Przedszkole nr 4 w Rybniku", "P 4"),
            P(K.PPP, "Poradnia Psychologiczno-Pedagogiczna w Rybniku", "PPP Rybnik"),
            P(K.POZ, "Przychodnia Rejonowa „Zdrowie” – podstawowa opieka zdrowotna", "POZ „Zdrowie”"),
            P(K.CZP, "Centrum Zdrowia Psychicznego w Rybniku", "CZP Rybnik"),
            P(K.POLICE_STATION, "Komenda Miejska Policji w Rybniku", "KMP Rybnik"),
            P(K.HOUSING_MANAGER, "Zarząd Budynków Miejskich w Rybniku", "ZBM Rybnik"),
            P(K.CULTURE_CENTRE, "Miejska Biblioteka Publiczna w Rybniku", "MBP Rybnik"),
            P(K.SPORTS_CENTRE, "Miejski Ośrodek Sportu i Rekreacji w Rybniku", "MOSiR Rybnik"),
            P(K.NGO, "Stowarzyszenie Pomocy Rodzinie „Przystań”", "„Przystań”"),
            P(K.NGO, "Fundacja „Dobry Start”", "„Dobry Start”"),
            P(K.PARISH_CHARITY, "Parafialny Zespół Caritas parafii pw. św. Józefa w Rybniku", "Caritas św. Józefa"),
            P(K.GKRPA, "Miejska Komisja Rozwiązywania Problemów Alkoholowych w Rybniku", "MKRPA Rybnik"),
            P(K.CIS, "Centrum Integracji Społecznej w Rybniku", "CIS Rybnik"),
        ),
    ),
    Pilot(
        key="rural",
        variant="Liderzy kooperacji",
        variant_note=(
            "Gmina wiejska testuje wariant „Liderzy kooperacji”: gminno-powiatowy Partnerski Zespół Kooperacyjny "
            "powołany przez animatora gminnego wspólnie z animatorem powiatowym; praca z osobą lub rodziną według "
            "Indywidualnego Programu Współpracy (IPW)."
        ),
        voivodeship_code="18",
        county_code="1807",
        county_name="krośnieński",
        county_kind_label="powiat",
        gmina_code="1807012",
        gmina_name="Chorkówka",
        gmina_kind=GminaKind.RURAL,
        gmina_kind_label="gmina wiejska",
        town="Chorkówka",
        town_postal_code="38-458",
        county_seat="Krosno",
        county_seat_loc="w Krośnie",
        county_seat_postal_code="38-400",
        latitude="49.6497",
        longitude="21.6803",
        ops_name="Gminny Ośrodek Pomocy Społecznej w Chorkówce",
        ops_short_name="GOPS Chorkówka",
        pcpr_name="Powiatowe Centrum Pomocy Rodzinie w Krośnie",
        partnership_name="Gminno-Powiatowy Zespół Kooperacji w Gminie Chorkówka",
        partnership_has_county=True,
        established_on=datetime.date(2019, 5, 15),
        partners=(
            P(K.SCHOOL, "Szkoła Podstawowa w Chorkówce", "SP Chorkówka"),
            P(K.SCHOOL, "Szkoła Podstawowa w Zręcinie", "SP Zręcin", "Zręcin"),
            P(K.KINDERGARTEN, "Gminne Przedszkole w Chorkówce", "GP Chorkówka"),
            P(K.POZ, "Ośrodek Zdrowia w Chorkówce", "OZ Chorkówka"),
            P(K.ADDICTION_CLINIC, "Punkt Terapii Uzależnień w Chorkówce", "PTU Chorkówka"),
            P(K.POLICE_STATION, "Posterunek Policji w Chorkówce", "PP Chorkówka"),
            P(K.HOUSING_MANAGER, "Referat Gospodarki Komunalnej i Mieszkaniowej Urzędu Gminy Chorkówka", "GKM"),
            P(K.CULTURE_CENTRE, "Gminna Biblioteka Publiczna w Chorkówce", "GBP Chorkówka"),
            P(K.SPORTS_CENTRE, "Gminny Ośrodek Sportu w Chorkówce", "GOS Chorkówka"),
            P(K.NGO, "Koło Gospodyń Wiejskich w Szczepańcowej", "KGW Szczepańcowa", "Szczepańcowa"),
            P(K.PARISH_CHARITY, "Parafialny Zespół Caritas parafii pw. św. Stanisława w Chorkówce", "Caritas"),
            P(K.GKRPA, "Gminna Komisja Rozwiązywania Problemów Alkoholowych w Chorkówce", "GKRPA Chorkówka"),
        ),
    ),
    Pilot(
        key="urban_rural",
        variant="Kooperacja – efektywna i skuteczna",
        variant_note=(
            "Gmina miejsko-wiejska testuje wariant „Kooperacja – efektywna i skuteczna”: powiatowa grupa "
            "refleksyjna i grupa decydentów, MGOPS jako koordynator pilotażu, wsparcie regionalnego animatora "
            "współpracy z ROPS; w pilotażu pięć rodzin."
        ),
        voivodeship_code="04",
        county_code="0405",
        county_name="golubsko-dobrzyński",
        county_kind_label="powiat",
        gmina_code="0405043",
        gmina_name="Kowalewo Pomorskie",
        gmina_kind=GminaKind.URBAN_RURAL,
        gmina_kind_label="gmina miejsko-wiejska",
        town="Kowalewo Pomorskie",
        town_postal_code="87-410",
        county_seat="Golub-Dobrzyń",
        county_seat_loc="w Golubiu-Dobrzyniu",
        county_seat_postal_code="87-400",
        latitude="53.1539",
        longitude="18.8989",
        ops_name="Miejsko-Gminny Ośrodek Pomocy Społecznej w Kowalewie Pomorskim",
        ops_short_name="MGOPS Kowalewo Pomorskie",
        pcpr_name="Powiatowe Centrum Pomocy Rodzinie w Golubiu-Dobrzyniu",
        partnership_name="Partnerski Zespół Kooperacji w Gminie Kowalewo Pomorskie",
        partnership_has_county=True,
        established_on=datetime.date(2019, 9, 2),
        partners=(
            P(K.SCHOOL, "Szkoła Podstawowa w Kowalewie Pomorskim", "SP Kowalewo"),
            P(K.SCHOOL, "Szkoła Podstawowa w Srebrnikach", "SP Srebrniki", "Srebrniki"),
            P(K.KINDERGARTEN, "Przedszkole Samorządowe w Kowalewie Pomorskim", "PS Kowalewo"),
            P(K.POZ, "Niepubliczny Zakład Opieki Zdrowotnej „Medyk” w Kowalewie Pomorskim", "NZOZ „Medyk”"),
            P(K.ADDICTION_CLINIC, "Poradnia Terapii Uzależnień i Współuzależnienia w Kowalewie Pomorskim", "PTU"),
            P(K.POLICE_STATION, "Posterunek Policji w Kowalewie Pomorskim", "PP Kowalewo"),
            P(K.HOUSING_MANAGER, "Zakład Gospodarki Komunalnej i Mieszkaniowej w Kowalewie Pomorskim", "ZGKiM"),
            P(K.CULTURE_CENTRE, "Miejsko-Gminny Ośrodek Kultury w Kowalewie Pomorskim", "MGOK"),
            P(K.CULTURE_CENTRE, "Miejsko-Gminna Biblioteka Publiczna w Kowalewie Pomorskim", "MGBP"),
            P(K.NGO, "Stowarzyszenie „Razem dla Kowalewa”", "„Razem dla Kowalewa”"),
            P(K.NGO, "Fundacja Wspierania Osób z Niepełnosprawnościami „Krok”", "„Krok”"),
            P(K.PARISH_CHARITY, "Parafialny Zespół Caritas parafii pw. św. Mikołaja w Kowalewie Pomorskim", "Caritas"),
            P(K.GKRPA, "Miejsko-Gminna Komisja Rozwiązywania Problemów Alkoholowych w Kowalewie Pomorskim", "MGKRPA"),
        ),
    ),
)

PILOTS_BY_KEY: dict[str, Pilot] = {pilot.key: pilot for pilot in PILOTS}


def county_institutions(pilot: Pilot) -> tuple[Partner, ...]:
    """PCPR, PUP, the district court and its probation service of the pilot's county."""
    seat = pilot.county_seat_loc
    return (
        Partner(K.PCPR, pilot.pcpr_name, "PCPR", pilot.county_seat),
        Partner(K.PUP, f"Powiatowy Urząd Pracy {seat}", "PUP", pilot.county_seat),
        Partner(K.COURT, f"Sąd Rejonowy {seat}", "SR", pilot.county_seat),
        Partner(
            K.PROBATION,
            f"Zespół Kuratorskiej Służby Sądowej Sądu Rejonowego {seat}",
            "Kuratorzy SR",
            pilot.county_seat,
        ),
    )
