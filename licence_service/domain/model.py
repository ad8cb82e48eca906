"""Licence metadata (GB/T 36903 style) as pydantic models.

:class:`LicenceInput` is what an officer supplies for one licence; :class:`LicenceMetadata` is
what a signed document states (the same particulars plus the identifier and the issuing
authority). Both refuse unknown fields, empty or blank text, floats, a validity that ends before
it starts, and a resident ID number (holder ID type 111) whose check character is wrong. Text is
normalised to Unicode NFC, the form it is hashed in.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from licence_service.domain.canonical import MAX_SAFE_INTEGER, JSONScalar
from licence_service.domain.errors import InvalidIdentifier
from licence_service.domain.ids import LicenceId, validate_resident_id, validate_uscc

RESIDENT_ID_CARD = "111"
SURFACE_PREFIX = "surface."


# Unicode category Cc, exactly.
_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f]")


# Kept: every document validated checks a dozen field names and values, and most recur from
# document to document. Only text that passes is kept (a refusal raises, which is not cached).
@lru_cache(maxsize=4096)
def _nfc_text(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    if not value.strip():
        raise ValueError("must not be empty or blank")
    if _CONTROL_CHARACTER.search(value):
        raise ValueError("must not contain control characters")
    return value


Text = Annotated[StrictStr, Field(max_length=2000), AfterValidator(_nfc_text)]
Code = Annotated[StrictStr, Field(pattern=r"^[0-9A-Z]{1,40}$")]
SurfaceName = Annotated[StrictStr, Field(max_length=64), AfterValidator(_nfc_text)]
# A disclosable field's name: a particular's name or "surface." and a surface field's name.
FieldName = Annotated[StrictStr, Field(max_length=80), AfterValidator(_nfc_text)]
# A field's value: a JSON scalar, never a float.
SafeInt = Annotated[StrictInt, Field(ge=-MAX_SAFE_INTEGER, le=MAX_SAFE_INTEGER)]
FieldValue = Text | SafeInt | StrictBool | None


def _uscc(value: str) -> str:
    return validate_uscc(value)


def _licence_id(value: str) -> str:
    return LicenceId.parse(value).format()


USCC = Annotated[StrictStr, AfterValidator(_uscc)]
LicenceIdText = Annotated[StrictStr, AfterValidator(_licence_id)]


class IssuingAuthority(BaseModel):
    """The department that issues and seals licences."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: USCC
    name: Text


class LicenceParticulars(BaseModel):
    """What every licence states about itself and its holder."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    licence_name: Text
    licence_number: Text
    issue_date: date
    valid_from: date
    # None: valid without end (长期有效).
    valid_to: date | None = None
    holder_name: Text
    holder_id_type: Annotated[StrictStr, Field(pattern=r"^[0-9A-Z]{3}$")]
    holder_id_number: Text
    surface: dict[SurfaceName, FieldValue] = Field(default_factory=dict)

    @field_validator("holder_id_number", mode="before")
    @classmethod
    def _upper_check_x(cls, value: Any, info: ValidationInfo) -> Any:
        # People write the resident ID check character X in lower case too.
        resident_id = info.data.get("holder_id_type") == RESIDENT_ID_CARD
        if resident_id and isinstance(value, str) and value.endswith("x"):
            return value[:-1] + "X"
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")
        if self.holder_id_type == RESIDENT_ID_CARD:
            validate_resident_id(self.holder_id_number)
        return self


class LicenceInput(LicenceParticulars):
    """One licence to issue. ``supersedes`` names the licence a renewal, correction or transfer
    replaces: the new licence then gets its next version and must keep its type and serial."""

    type_code: Code
    serial: Code
    supersedes: LicenceIdText | None = None

    @model_validator(mode="after")
    def _same_licence_line(self) -> Self:
        if self.supersedes is not None:
            previous = LicenceId.parse(self.supersedes)
            if (previous.type_code, previous.serial) != (self.type_code, self.serial):
                raise InvalidIdentifier(
                    f"a new version of {self.supersedes} keeps its type code and serial"
                )
        return self

    def licence_id(self, issuer_code: str) -> LicenceId:
        """The identifier this input is issued under by ``issuer_code``."""
        if self.supersedes is None:
            return LicenceId(self.type_code, issuer_code, self.serial)
        previous = LicenceId.parse(self.supersedes)
        if previous.issuer_code != issuer_code:
            raise InvalidIdentifier(
                f"{self.supersedes} was issued by {previous.issuer_code}, not {issuer_code}"
            )
        return previous.next_version()


class LicenceMetadata(LicenceParticulars):
    """The metadata a signed licence document states."""

    licence_id: LicenceIdText
    previous_id: LicenceIdText | None = None
    issuer_name: Text

    @property
    def parsed_id(self) -> LicenceId:
        return LicenceId.parse(self.licence_id)

    @property
    def issuer_code(self) -> str:
        return self.parsed_id.issuer_code

    @property
    def type_code(self) -> str:
        return self.parsed_id.type_code

    def disclosable_fields(self) -> dict[str, JSONScalar]:
        """The fields that are salted, hashed and disclosed one by one, by name."""
        return disclosable_fields(self, self.issuer_name)

    def successor(self, **changes: Any) -> LicenceInput:
        """The input for this licence's next version (a renewal, correction or transfer): its
        particulars with ``changes`` applied, superseding it."""
        particulars = self.model_dump(exclude={"licence_id", "previous_id", "issuer_name"})
        return LicenceInput.model_validate(
            {
                **particulars,
                "type_code": self.type_code,
                "serial": self.parsed_id.serial,
                "supersedes": self.licence_id,
                **changes,
            }
        )

    @classmethod
    def from_fields(
        cls,
        *,
        licence_id: str,
        previous_id: str | None,
        valid_from: date,
        valid_to: date | None,
        fields: dict[str, JSONScalar],
    ) -> LicenceMetadata:
        """Rebuild the metadata from a document's header and its complete set of fields."""
        particulars: dict[str, Any] = {
            name: value for name, value in fields.items() if not name.startswith(SURFACE_PREFIX)
        }
        surface = {
            name.removeprefix(SURFACE_PREFIX): value
            for name, value in fields.items()
            if name.startswith(SURFACE_PREFIX)
        }
        return cls.model_validate(
            {
                **particulars,
                "licence_id": licence_id,
                "previous_id": previous_id,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "surface": surface,
            }
        )


def disclosable_fields(particulars: LicenceParticulars, issuer_name: str) -> dict[str, JSONScalar]:
    """A licence's disclosable fields by name: the particulars (dates as ``YYYY-MM-DD``) and the
    surface fields under ``surface.<name>``."""
    fields: dict[str, JSONScalar] = {
        "licence_name": particulars.licence_name,
        "licence_number": particulars.licence_number,
        "issuer_name": issuer_name,
        "issue_date": particulars.issue_date.isoformat(),
        "holder_name": particulars.holder_name,
        "holder_id_type": particulars.holder_id_type,
        "holder_id_number": particulars.holder_id_number,
    }
    fields.update({SURFACE_PREFIX + name: value for name, value in particulars.surface.items()})
    return fields
