"""Offer and lead text as word stems, for measuring their overlap.

Words are lower-cased, stemmed (Snowball English) and abbreviations are expanded ("ML" →
"machine learning"), so "Looking for advanced ML platforms" meets "Advanced Machine
Learning Analytics". An offer's terms are its stems and its adjacent stem pairs (two-word
phrases), phrase by phrase (name, value propositions, use cases).
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import snowballstemmer

# Abbreviations expanded in both the offer and the lead, so either side may use either form.
SYNONYMS = {
    "ml": "machine learning",
    "ai": "artificial intelligence",
    "bi": "business intelligence",
    "crm": "customer relationship management",
    "erp": "enterprise resource planning",
    "kpi": "key performance indicator",
    "kpis": "key performance indicators",
    "saas": "software",
    "nlp": "natural language processing",
    "etl": "data pipeline",
    "realtime": "real-time",
    "prs": "pull requests",
    "tills": "point of sale",
    "pos": "point of sale",
    "ap": "accounts payable",
    "wms": "warehouse management",
    "clm": "contract management",
    "edc": "electronic data capture",
    "hris": "hr system",
    "starters": "hires",
    "starter": "hire",
    "joiners": "hires",
    "joiner": "hire",
    "newcomers": "new hires",
    **{
        word: english
        for english, words in {
            # The business nouns a bio in Spanish, Portuguese, French, German, Italian, Dutch
            # or Polish names what it needs with, as the English the offers are written in.
            "contracts": "contrato contratos contrat contrats vertrag verträge vertraege "
            "contratto contratti contracten umowa umowy",
            "suppliers": "proveedor proveedores fornecedor fornecedores fournisseur fournisseurs "
            "lieferant lieferanten fornitore fornitori leverancier leveranciers dostawca dostawcy",
            "customers": "clientes kunden klanten klienci",
            "invoices": "factura facturas fatura faturas facture factures rechnung rechnungen "
            "fattura fatture factuur facturen faktura faktury",
            "employees": "empleados funcionários funcionarios employés employes mitarbeiter "
            "mitarbeitende dipendenti medewerkers pracownicy",
            "training": "formación formacion capacitación capacitacion treinamento formação "
            "formacao schulung schulungen formazione opleiding szkolenia",
            "travel": "viajes viagens voyages reisen dienstreisen viaggi reizen",
            "vehicles": "vehículos vehiculos veículos veiculos véhicules vehicules fahrzeuge "
            "veicoli voertuigen pojazdy",
            "fleet": "flota frota flotte fuhrpark wagenpark vloot",
            "trucks": "camiones caminhões caminhoes camions lkw",
            "warehouse": "almacén almacen armazém armazem entrepôt entrepot magazzino magazijn "
            "magazyn",
            "inventory": "inventario inventário inventaire lagerbestand",
            "patients": "pacientes patienten pazienti pacjenci",
            "security": "seguridad segurança seguranca sécurité securite sicherheit sicurezza "
            "beveiliging",
            "compliance": "cumplimiento conformidade conformité conformite",
            "costs": "costos costes custos coûts couts kosten costi koszty",
            "budget": "presupuesto orçamento orcamento",
            "sales": "ventas vendas ventes vertrieb vendite verkoop sprzedaż sprzedaz",
            "data": "datos dados données donnees daten dati gegevens dane",
            "reports": "informes relatórios relatorios rapports berichte rapporti rapporten "
            "raporty",
            "orders": "pedidos commandes bestellungen ordini bestellingen zamówienia zamowienia",
            "payments": "pagos pagamentos paiements zahlungen pagamenti betalingen płatności",
            "payroll": "nómina nomina nóminas nominas folha lohnabrechnung paie buste "
            "loonadministratie",
            "fuel": "combustible combustível combustivel carburant kraftstoff carburante brandstof "
            "paliwo",
            "maintenance": "mantenimiento manutenção manutencao wartung instandhaltung "
            "manutenzione onderhoud konserwacja",
            "clinics": "clínica clinica clínicas clinicas clinique cliniques klinik kliniken "
            "kliniek klinika",
            "hospital": "hôpital hopital krankenhaus ospedale ziekenhuis szpital",
            "veterinary": "veterinaria veterinario veterinária veterinário vétérinaire "
            "veterinaire tierarzt tierärztliche tierarztpraxis dierenarts weterynarz",
            "restaurants": "restaurantes ristorante ristoranti",
            "kitchen": "cocina cozinha küche kueche cucina keuken",
            "hotels": "hoteles hotéis hoteis alberghi",
            "prices": "precios preços precos prix preise prezzi prijzen ceny",
            "pricing": "tarifas tarifs",
            "bookings": "reservas réservations reservations buchungen prenotazioni boekingen",
            "sensors": "sensores capteurs sensoren sensori czujniki",
            "machines": "máquinas maquinas maschinen macchine machines maszyny",
            "compressors": "compresores compressores compresseurs kompressoren compressori",
            "downtime": "paradas arrêts stillstand fermi",
            "digitise": "digitalizar digitaliser digitalisieren digitalizzare digitaliseren "
            "digitalizacja",
        }.items()
        for word in words.split()
        if word != english
    },
}
# Stems that mean the same thing to a buyer.
STEM_ALIASES = {"analysi": "analyt", "analyz": "analyt", "analys": "analyt"}
# Words the stemmer would conflate with a different one ("customer" is not "custom").
WORD_STEMS = {"customer": "customer", "customers": "customer"}
# Words too common in bios and offers to be evidence of fit.
STOPWORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or our over the
    their this to with we you your i my me us about through across per via than that who
    year years experience experienced plus passionate focus focused focusing professional
    leading leader strong background expertise expert team teams new based help helping
    company companies inc corp llc ltd solution solutions pro""".split()
    # Everyday words: shared by an offer and a bio, they say nothing of fit.
    + """all any each every one two three four five six ten dozen dozens hundred hundreds
    thousand thousands many much more most less few several some no not none only just also
    very so too still even own same other another else such both either whole single
    first last next before after during while when where why how what which whose once
    again always never often now today tomorrow yesterday day days week weeks weekly month
    months monthly quarter quarterly night nights time times hour hours minute minutes
    morning evening end start starting begin set get got gets getting make makes making
    made take takes taking took give gives go goes going went come comes coming run runs
    running ran keep keeps kept put puts let lets see saw use used uses using want wants
    need needs needed find found know knew think say says said tell work works working
    worked do does did doing done can could will would should may might must shall up down
    out off back away right left around along within without between under above across
    fast faster slow easy easily really well better best good great big small large
    high low full part parts thing things way ways lot lots kind sort number numbers
    people person everyone everybody anyone someone nobody yes like likely able via etc
    across between per into onto upon them they he she his her him it's i'm we're you're
    don't can't won't isn't aren't there here then these those been being was were had
    has if but because though although until unless whether again around about above below
    level levels based current currently recent recently previous previously early late
    able ready sure top key main major minor side sides line lines place places site sites
    area areas group groups case cases point points step steps piece level
    """.split()
    # How any product works ("live GPS tracking", "it lives in shared drives"): what it is
    # is in the words beside them. A lone "e" is the "e" of "e-signature" or Italian "and".
    + """live lives e""".split()
    # Words of any job title: the rules judge the role; in a bio they say nothing of need.
    + """manager managers management managing director directors officer officers chief
    senior head vice president responsible responsibility responsibilities role roles job
    jobs position staff member members
    """.split()
)
_WORD = re.compile(r"[^\W_]+")
_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def stems_of_word(word: str) -> tuple[str, ...]:
    """Content stems one word stands for: none for a stopword, several for an abbreviation."""
    words = SYNONYMS.get(word, word).split()
    stems = []
    for part in words:
        if part in STOPWORDS:
            continue
        stem = WORD_STEMS.get(part) or _stemmer.stemWord(part)
        stems.append(STEM_ALIASES.get(stem, stem))
    return tuple(stems)


def tokens(text: str) -> list[tuple[re.Match, tuple[str, ...]]]:
    """(match, stems) for each word of text, stopwords included with no stems."""
    return [(m, stems_of_word(m.group(0).lower())) for m in _WORD.finditer(text)]


def terms(text: str, text_tokens=None) -> tuple[set[str], set[tuple[str, str]]]:
    """Stems and adjacent stem pairs (two-word phrases) of text (whose tokens, if given)."""
    text_tokens = tokens(text) if text_tokens is None else text_tokens
    stems = [stem for _, word_stems in text_tokens for stem in word_stems]
    return set(stems), set(pairwise(stems))


@dataclass(frozen=True)
class OfferPhrase:
    text: str
    stems: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    is_offer_name: bool = False


@dataclass(frozen=True)
class OfferTerms:
    phrases: tuple[OfferPhrase, ...]
    stems: frozenset[str]
    pairs: frozenset[tuple[str, str]]


@lru_cache(maxsize=64)
def offer_terms(offer) -> OfferTerms:
    phrases = []
    for position, text in enumerate((offer.name, *offer.value_props, *offer.ideal_use_cases)):
        stems, pairs = terms(text)
        if stems:
            phrases.append(
                OfferPhrase(
                    text=text,
                    stems=frozenset(stems),
                    pairs=frozenset(pairs),
                    is_offer_name=position == 0,
                )
            )
    return OfferTerms(
        phrases=tuple(phrases),
        stems=frozenset().union(*(p.stems for p in phrases)),
        pairs=frozenset().union(*(p.pairs for p in phrases)),
    )
