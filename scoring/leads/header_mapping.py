"""Which column of an uploaded file holds which field of a lead, read from its header.

CRM exports name their columns their own way (HubSpot "Job Title", Salesforce "Title",
Pipedrive "Person - Name", Sales Navigator "About"...). A header cell matches whatever its
case, spaces and punctuation ("State/Region" is "stateregion"), against the aliases below;
a name may come in two parts (first + last), a location in three (city, state, country) and
a bio from several notes-like columns. An explicit mapping ({"role": "Position"}, or a list
of columns for a field made of parts) overrides the aliases. Every column no field takes is
kept with the lead as `extra`, under its header as written.
"""

import json
import re
from dataclasses import dataclass, field

from scoring.core.exceptions import InvalidInput

# The fields a lead is stored with, in the order the import writes them.
LEAD_FIELDS = (
    "name", "role", "company", "industry", "location", "linkedin_bio",
    "email", "external_id", "linkedin_url",
)  # fmt: skip
# A file without one of these is refused: a lead cannot be judged without them.
REQUIRED_FIELDS = ("name", "role", "company", "industry")

# Aliases per field, normalised (see `normalised`), in order of preference.
ALIASES = {
    "name": ("name", "fullname", "contactname", "leadname", "personname", "contact"),
    "role": (
        "role", "title", "jobtitle", "designation", "position", "jobrole", "persontitle",
        "personjobtitle", "currenttitle",
    ),
    "company": (
        "company", "companyname", "companyaccount", "account", "accountname", "organization",
        "organisation", "organizationname", "organisationname", "employer", "currentcompany",
    ),
    "industry": ("industry", "companyindustry", "organizationindustry", "sector", "vertical"),
    "location": ("location", "address", "personlocation", "geography"),
    "linkedin_bio": (
        "linkedinbio", "bio", "about", "summary", "description", "notes", "note", "personnotes",
        "headline",
    ),
    "email": (
        "email", "emailaddress", "workemail", "businessemail", "personemail", "primaryemail",
        "personemailaddress", "personemailwork",
    ),
    "external_id": (
        "externalid", "recordid", "id", "leadid", "contactid", "personid", "crmid",
        "apollocontactid",
    ),
    "linkedin_url": (
        "linkedinurl", "personlinkedinurl", "linkedin", "linkedinprofile", "linkedinprofileurl",
        "profileurl",
    ),
}  # fmt: skip
# Fields that may be made of several columns, and how their parts are joined.
NAME_PARTS = {
    "first": ("firstname", "first", "givenname", "personfirstname"),
    "last": ("lastname", "last", "surname", "familyname", "personlastname"),
}
LOCATION_PARTS = {
    "city": ("city", "personcity", "mailingcity", "town"),
    "state": ("state", "stateregion", "stateprovince", "province", "region", "personstate"),
    "country": ("country", "countryregion", "personcountry", "mailingcountry"),
}
# Every bio-like column a file has goes into the bio, in ALIASES["linkedin_bio"] order:
# a Sales Navigator export's headline and its about both say something of the person.
BIO_SEPARATOR = "\n\n"

MISSING_FIELDS_ERROR = "Missing required columns: {missing}"
MISSING_FIELDS_DETAIL = " Columns found: {found}. Accepted for {field}: {aliases}."
MAPPING_NOT_JSON_ERROR = "The mapping is not a JSON object: {detail}"
MAPPING_UNKNOWN_FIELD_ERROR = "The mapping names {fields}, which are not lead fields ({known})."
MAPPING_UNKNOWN_COLUMN_ERROR = "The mapping names the column {column!r}, which the file lacks."
MAPPING_VALUE_ERROR = "The mapping of {field!r} must be a column's name or a list of them."
DUPLICATE_COLUMNS_ERROR = "Duplicate columns in the header: {duplicates}"

_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def normalised(header_cell: str) -> str:
    """A header cell as the aliases are written: lower case, letters and digits only."""
    return _NOT_ALPHANUMERIC.sub("", header_cell.strip().lower())


@dataclass(frozen=True)
class ColumnMap:
    """For each field, the positions of the columns that make it (joined by `joiners`);
    `extra`: the positions and headers of the columns no field took."""

    positions: dict[str, tuple[int, ...]]
    joiners: dict[str, str]
    extra: tuple[tuple[int, str], ...] = field(default_factory=tuple)

    def has(self, name: str) -> bool:
        return bool(self.positions.get(name))


def mapping_from_json(text: str | None) -> dict[str, list[str]] | None:
    """The `mapping` form field: {"field": "Column"} or {"field": ["Column", ...]}."""
    if text is None or not str(text).strip():
        return None
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(MAPPING_NOT_JSON_ERROR.format(detail=exc.msg)) from exc
    if not isinstance(mapping, dict):
        raise InvalidInput(MAPPING_NOT_JSON_ERROR.format(detail="not an object"))
    unknown = sorted(set(mapping) - set(LEAD_FIELDS))
    if unknown:
        raise InvalidInput(
            MAPPING_UNKNOWN_FIELD_ERROR.format(fields=unknown, known=", ".join(LEAD_FIELDS))
        )
    columns = {}
    for name, value in mapping.items():
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(MAPPING_VALUE_ERROR.format(field=name))
        columns[name] = value
    return columns


def _first(index: dict[str, int], aliases: tuple[str, ...]) -> tuple[int, ...]:
    return next(((index[alias],) for alias in aliases if alias in index), ())


def _parts(index: dict[str, int], parts: dict[str, tuple[str, ...]]) -> tuple[int, ...]:
    return tuple(p for aliases in parts.values() for p in _first(index, aliases))


def missing_fields_message(missing: list[str], header: list[str]) -> str:
    """The seed's "Missing required columns: [...]", then the file's headers and the
    aliases that would have matched each missing field."""
    message = MISSING_FIELDS_ERROR.format(missing=missing)
    found = ", ".join(repr(cell) for cell in header if cell.strip()) or "none"
    for name in missing:
        aliases = list(ALIASES[name])
        if name == "name":
            aliases += ["first name + last name"]
        message += MISSING_FIELDS_DETAIL.format(found=found, field=name, aliases=", ".join(aliases))
        found = "(as above)"
    return message


def column_map(header: list[str], mapping: dict[str, list[str]] | None = None) -> ColumnMap:
    """Where each lead field is in a file with this header; InvalidInput when a required
    field has no column, naming what the header has and what would have matched."""
    normalised_cells = [normalised(cell) for cell in header]
    index: dict[str, int] = {}
    for position, cell in enumerate(normalised_cells):
        if cell:
            index.setdefault(cell, position)
    positions: dict[str, tuple[int, ...]] = {}
    joiners = {name: "" for name in LEAD_FIELDS}
    for name in LEAD_FIELDS:
        positions[name] = _first(index, ALIASES[name])
    if not positions["name"]:
        positions["name"], joiners["name"] = _parts(index, NAME_PARTS), " "
    if not positions["location"]:
        positions["location"], joiners["location"] = _parts(index, LOCATION_PARTS), ", "
    bio = tuple(index[alias] for alias in ALIASES["linkedin_bio"] if alias in index)
    positions["linkedin_bio"], joiners["linkedin_bio"] = bio, BIO_SEPARATOR
    for name, columns in (mapping or {}).items():
        wanted = [normalised(column) for column in columns]
        for column, key in zip(columns, wanted, strict=True):
            if key not in index:
                raise InvalidInput(MAPPING_UNKNOWN_COLUMN_ERROR.format(column=column))
        positions[name] = tuple(index[key] for key in wanted)
        joiners[name] = joiners[name] or " "
    used = {p for ps in positions.values() for p in ps}
    duplicates = sorted(
        {header[p].strip() for p in used if normalised_cells.count(normalised_cells[p]) > 1}
    )
    if duplicates:
        raise InvalidInput(DUPLICATE_COLUMNS_ERROR.format(duplicates=duplicates))
    missing = [name for name in REQUIRED_FIELDS if not positions[name]]
    if missing:
        raise InvalidInput(missing_fields_message(missing, header))
    extra = tuple(
        (position, cell.strip())
        for position, cell in enumerate(header)
        if position not in used and cell.strip()
    )
    return ColumnMap(positions=positions, joiners=joiners, extra=extra)
