"""Patron registration and upkeep: named actions, each one audited transaction.

Personal data is validated and normalised here, then stored encrypted; audit events carry
the patron's id and which fields changed, never the values."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields, replace

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shoka.audit.actors import Actor
from shoka.audit.log import audited_atomic, record, record_access
from shoka.organisation.models import Branch, Library
from shoka.security.crypto import blind_indexes
from shoka.security.keyring import get_keyring

from . import indexes
from .checkdigits import CheckDigitError, validate
from .contact import (
    ContactError,
    complete_address,
    lookup_postal_code,
    normalize_email,
    normalize_name,
    normalize_phone,
    normalize_postal_code,
    normalize_reading,
)
from .models import (
    Language,
    NotifyChannel,
    Patron,
    PatronCategory,
    PatronSearchToken,
    PatronStatus,
)

PIN_RE = re.compile(r"^[0-9]{4,8}$")
# Katakana (with ー and ・), spaces, and digits (a school class: 3ネン 2クミ).
READING_RE = re.compile(r"[\u30A0-\u30FF\u3000 0-9\uFF10-\uFF19]+")


class PatronError(ValueError):
    """Registration data is invalid; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class PossibleDuplicate(Exception):  # noqa: N818 — a warning the desk must confirm
    """Someone with the same reading and birth date is registered already."""

    def __init__(self, patron_ids: list[int]) -> None:
        self.patron_ids = patron_ids
        super().__init__(f"possible duplicate of patron(s) {patron_ids}")


@dataclass(frozen=True)
class PatronData:
    """What the registration form collects. Plain values; validated by `clean_patron_data`."""

    card_number: str
    category: str  # PatronCategory code
    home_branch: str  # Branch code
    name: str
    name_kana: str
    birth_date: dt.date | None = None
    postal_code: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    guardian_name: str | None = None
    guardian_relation: str | None = None
    guardian_contact: str | None = None
    notify_channel: str = NotifyChannel.POSTCARD
    language: str = Language.JAPANESE  # of the patron's notices
    keeps_reading_history: bool = False
    area_code: str = ""
    pin: str | None = field(default=None, repr=False)


PERSONAL_FIELDS = (
    "name",
    "name_kana",
    "birth_date",
    "postal_code",
    "address",
    "phone",
    "email",
    "guardian_name",
    "guardian_relation",
    "guardian_contact",
)


def _pin_hasher() -> PasswordHasher:
    cost = settings.SHOKA_PIN_HASH
    return PasswordHasher(
        time_cost=int(cost["time_cost"]),
        memory_cost=int(cost["memory_cost"]),
        parallelism=int(cost["parallelism"]),
    )


def hash_pin(pin: str) -> str:
    if not PIN_RE.match(pin or ""):
        raise PatronError({"pin": _("the PIN must be 4 to 8 digits")})
    return _pin_hasher().hash(pin)


def check_pin(patron: Patron, pin: str) -> bool:
    if not patron.pin_hash or not pin:
        return False
    try:
        return _pin_hasher().verify(patron.pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def clean_patron_data(library: Library, data: PatronData, today: dt.date) -> PatronData:
    """Validate and normalise; raise PatronError with every problem found."""
    errors: dict[str, str] = {}
    card = indexes.normalize_card(data.card_number)
    try:
        validate(library.card_check_digit, card)
    except CheckDigitError as exc:
        errors["card_number"] = _("not a valid card number: {detail}").format(detail=exc)
    name, kana = data.name.strip(), data.name_kana.strip()
    if not normalize_name(name):
        errors["name"] = _("the name is required")
    if not normalize_reading(kana):
        errors["name_kana"] = _("the reading (カナ) is required")
    elif not READING_RE.fullmatch(_to_katakana_spaced(kana)):
        errors["name_kana"] = _("the reading must be written in kana")
    category = PatronCategory.objects.filter(library=library, code=data.category).first()
    if category is None:
        errors["category"] = _('unknown patron category "{code}"').format(code=data.category)
    if not Branch.objects.filter(library=library, code=data.home_branch).exists():
        errors["home_branch"] = _('unknown branch "{code}"').format(code=data.home_branch)
    if data.birth_date and data.birth_date > today:
        errors["birth_date"] = _("the date of birth is in the future")
    postal, address = data.postal_code, (data.address or "").strip() or None
    if postal:
        try:
            postal = normalize_postal_code(postal)
            if lookup_postal_code(postal) is None:
                errors["postal_code"] = _("{code} is not a Japanese postal code").format(
                    code=postal
                )
            elif address:
                # Completed from the postal data: 「1丁目2-3」 becomes 「長野県松本市中央1丁目2-3」.
                address = complete_address(postal, address)
        except ContactError as exc:
            errors["postal_code"] = str(exc)
    phone, email = data.phone, data.email
    if phone:
        try:
            phone = normalize_phone(phone)
        except ContactError as exc:
            errors["phone"] = str(exc)
    if email:
        try:
            email = normalize_email(email)
        except ContactError as exc:
            errors["email"] = str(exc)
    if category is not None and category.requires_guardian:
        for name_, message in (
            ("guardian_name", _("a child's registration needs the guardian's name")),
            ("guardian_relation", _("a child's registration needs the guardian's relation")),
            ("guardian_contact", _("a child's registration needs the guardian's contact")),
        ):
            if not (getattr(data, name_) or "").strip():
                errors[name_] = message
    if data.notify_channel not in NotifyChannel.values:
        errors["notify_channel"] = _('unknown channel "{code}"').format(code=data.notify_channel)
    elif data.notify_channel == NotifyChannel.EMAIL and not email:
        errors["notify_channel"] = _("email notification needs an email address")
    elif data.notify_channel == NotifyChannel.PHONE and not phone:
        errors["notify_channel"] = _("phone notification needs a phone number")
    elif data.notify_channel == NotifyChannel.POSTCARD and not address:
        errors["notify_channel"] = _("postcard notification needs an address")
    if data.language not in Language.values:
        errors["language"] = _('unknown language "{code}": Japanese (ja) or English (en)').format(
            code=data.language
        )
    if data.pin is not None and not PIN_RE.match(data.pin):
        errors["pin"] = _("the PIN must be 4 to 8 digits")
    if errors:
        raise PatronError(errors)
    return replace(
        data,
        card_number=card,
        name=name,
        name_kana=normalize_reading_display(kana),
        postal_code=postal,
        address=address,
        phone=phone,
        email=email,
        guardian_name=(data.guardian_name or "").strip() or None,
        guardian_relation=(data.guardian_relation or "").strip() or None,
        guardian_contact=(data.guardian_contact or "").strip() or None,
    )


def _to_katakana_spaced(text: str) -> str:
    import jaconv

    return jaconv.hira2kata(jaconv.h2z(text.replace("\u3000", " ")))


def normalize_reading_display(text: str) -> str:
    """A reading as stored for display: full-width katakana, single spaces."""
    return " ".join(_to_katakana_spaced(text).split())


def find_possible_duplicates(
    library: Library, name_kana: str, birth_date: dt.date | None, *, exclude: int | None = None
) -> list[int]:
    key = indexes.duplicate_key(name_kana, birth_date)
    if key is None:
        return []
    ring = get_keyring()
    qs = Patron.objects.filter(
        library=library, duplicate_index__in=blind_indexes(ring, indexes.DUPLICATE, key)
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.values_list("pk", flat=True))


def _apply(patron: Patron, data: PatronData) -> None:
    for name in PERSONAL_FIELDS:
        setattr(patron, name, getattr(data, name))
    patron.card_number = data.card_number
    patron.card_index = indexes.card_index(data.card_number)
    patron.phone_index = indexes.value_index(indexes.PHONE, data.phone)
    patron.email_index = indexes.value_index(indexes.EMAIL, data.email)
    patron.duplicate_index = indexes.value_index(
        indexes.DUPLICATE, indexes.duplicate_key(data.name_kana, data.birth_date)
    )
    patron.notify_channel = data.notify_channel
    patron.language = data.language
    patron.keeps_reading_history = data.keeps_reading_history
    patron.area_code = data.area_code


def _write_tokens(patron: Patron) -> None:
    PatronSearchToken.objects.filter(patron=patron).delete()
    PatronSearchToken.objects.bulk_create(
        PatronSearchToken(patron=patron, token=t)
        for t in sorted(indexes.name_tokens(patron.name, patron.name_kana))
    )


def register_patron(
    library: Library,
    data: PatronData,
    *,
    actor: Actor,
    at: dt.datetime,
    allow_duplicate: bool = False,
) -> Patron:
    """Register a patron. Raises PatronError for invalid data and PossibleDuplicate when
    someone with the same reading and birth date exists (unless `allow_duplicate`)."""
    today = timezone.localtime(at).date()
    data = clean_patron_data(library, data, today)
    with audited_atomic():
        dupes = find_possible_duplicates(library, data.name_kana, data.birth_date)
        if dupes and not allow_duplicate:
            raise PossibleDuplicate(dupes)
        patron = Patron(
            library=library,
            category=PatronCategory.objects.get(library=library, code=data.category),
            home_branch=Branch.objects.get(library=library, code=data.home_branch),
            status=PatronStatus.ACTIVE,
            registered_on=today,
            expires_on=_expiry(library, today),
            created_at=at,
            updated_at=at,
        )
        _apply(patron, data)
        if data.pin:
            patron.pin_hash = hash_pin(data.pin)
        try:
            with transaction.atomic():
                patron.save()
        except IntegrityError as exc:
            raise PatronError({"card_number": _("this card number is already registered")}) from exc
        _write_tokens(patron)
        record(
            "patron.registered",
            patron,
            actor=actor,
            at=at,
            data={"category": data.category, "duplicate_confirmed": bool(dupes)},
        )
        return patron


def _expiry(library: Library, today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year + library.registration_years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + library.registration_years, day=28)


def data_of(patron: Patron) -> PatronData:
    return PatronData(
        card_number=patron.card_number,
        category=patron.category.code,
        home_branch=patron.home_branch.code,
        **{name: getattr(patron, name) for name in PERSONAL_FIELDS},
        notify_channel=patron.notify_channel,
        language=patron.language,
        keeps_reading_history=patron.keeps_reading_history,
        area_code=patron.area_code,
    )


def update_patron(patron: Patron, data: PatronData, *, actor: Actor, at: dt.datetime) -> Patron:
    """Replace a patron's registration data (PIN unchanged unless `data.pin` is given)."""
    today = timezone.localtime(at).date()
    data = clean_patron_data(patron.library, data, today)
    with audited_atomic():
        patron = Patron.objects.select_for_update().get(pk=patron.pk)
        before = data_of(patron)
        changed = sorted(
            f.name
            for f in fields(PatronData)
            if f.name != "pin" and getattr(before, f.name) != getattr(data, f.name)
        )
        if data.keeps_reading_history != patron.keeps_reading_history:
            _set_history(patron, data.keeps_reading_history)
        _apply(patron, data)
        patron.category = PatronCategory.objects.get(library=patron.library, code=data.category)
        patron.home_branch = Branch.objects.get(library=patron.library, code=data.home_branch)
        if data.pin:
            patron.pin_hash = hash_pin(data.pin)
            changed.append("pin")
        patron.updated_at = at
        try:
            with transaction.atomic():
                patron.save()
        except IntegrityError as exc:
            raise PatronError({"card_number": _("this card number is already registered")}) from exc
        _write_tokens(patron)
        record("patron.updated", patron, actor=actor, at=at, data={"fields": changed})
        return patron


def renew_registration(patron: Patron, *, actor: Actor, at: dt.datetime) -> Patron:
    today = timezone.localtime(at).date()
    with audited_atomic():
        patron = Patron.objects.select_for_update().select_related("library").get(pk=patron.pk)
        patron.expires_on = _expiry(patron.library, max(today, patron.expires_on))
        patron.updated_at = at
        patron.save(update_fields=["expires_on", "updated_at"])
        record(
            "patron.registration_renewed",
            patron,
            actor=actor,
            at=at,
            data={"expires_on": str(patron.expires_on)},
        )
        return patron


def set_pin(patron: Patron, pin: str, *, actor: Actor, at: dt.datetime) -> None:
    hashed = hash_pin(pin)
    with audited_atomic():
        Patron.objects.filter(pk=patron.pk).update(pin_hash=hashed, updated_at=at)
        record("patron.pin_set", patron, actor=actor, at=at)


def block_patron(patron: Patron, reason: str, *, actor: Actor, at: dt.datetime) -> None:
    with audited_atomic():
        Patron.objects.filter(pk=patron.pk).update(
            status=PatronStatus.BLOCKED, block_reason=reason.strip(), updated_at=at
        )
        record("patron.blocked", patron, actor=actor, at=at)


def unblock_patron(patron: Patron, *, actor: Actor, at: dt.datetime) -> None:
    with audited_atomic():
        Patron.objects.filter(pk=patron.pk).update(
            status=PatronStatus.ACTIVE, block_reason="", updated_at=at
        )
        record("patron.unblocked", patron, actor=actor, at=at)


def _set_history(patron: Patron, keep: bool) -> None:
    """Turning the reading history off erases it: returned loans and finished holds lose
    the link to the patron."""
    from shoka.circulation.models import ACTIVE_HOLD, Hold, Loan

    if not keep:
        Loan.objects.filter(patron=patron, returned_at__isnull=False).update(
            patron=None, history_kept=False
        )
        Hold.objects.filter(patron=patron).exclude(status__in=ACTIVE_HOLD).update(patron=None)


def set_reading_history(patron: Patron, keep: bool, *, actor: Actor, at: dt.datetime) -> None:
    with audited_atomic():
        patron = Patron.objects.select_for_update().get(pk=patron.pk)
        _set_history(patron, keep)
        patron.keeps_reading_history = keep
        patron.updated_at = at
        patron.save(update_fields=["keeps_reading_history", "updated_at"])
        record(
            "patron.reading_history_" + ("kept" if keep else "erased"), patron, actor=actor, at=at
        )


# --- lookups ---------------------------------------------------------------------------


def find_patron_by_card(library: Library | int, card: str) -> Patron | None:
    library_id = library if isinstance(library, int) else library.pk
    return (
        Patron.objects.filter(library_id=library_id, card_index__in=indexes.card_lookups(card))
        .select_related("category", "home_branch")
        .first()
    )


def find_patrons_by_phone(library: Library, phone: str) -> QuerySet[Patron]:
    try:
        normalized = normalize_phone(phone)
    except ContactError:
        return Patron.objects.none()
    return Patron.objects.filter(
        library=library, phone_index__in=blind_indexes(get_keyring(), indexes.PHONE, normalized)
    )


def find_patrons_by_email(library: Library, email: str) -> QuerySet[Patron]:
    try:
        normalized = normalize_email(email)
    except ContactError:
        return Patron.objects.none()
    return Patron.objects.filter(
        library=library, email_index__in=blind_indexes(get_keyring(), indexes.EMAIL, normalized)
    )


def search_patrons_by_name(library: Library, query: str, *, limit: int = 50) -> list[Patron]:
    """Name or reading search (kanji, hiragana, katakana or half-width kana; a part of the
    name is enough). Candidates come from the keyed bigram tokens; each is decrypted and
    checked, so token collisions never produce a wrong hit."""
    found: dict[int, Patron] = {}
    for tokens, form in indexes.query_tokens(query):
        if not tokens:
            continue
        ids = (
            PatronSearchToken.objects.filter(token__in=tokens, patron__library=library)
            .values("patron_id")
            .annotate(n=Count("token", distinct=True))
            .filter(n=len(tokens))
            .values_list("patron_id", flat=True)
        )
        for patron in Patron.objects.filter(pk__in=list(ids[: limit * 4])).select_related(
            "category", "home_branch"
        ):
            if form in normalize_name(patron.name) or form in normalize_reading(patron.name_kana):
                found[patron.pk] = patron
    return sorted(found.values(), key=lambda p: normalize_reading(p.name_kana))[:limit]


def view_patron(patron: Patron, *, actor: Actor, at: dt.datetime, context: str = "") -> Patron:
    """A staff read of a patron record: writes an access event, then returns the patron."""
    record_access(
        "patron.viewed", patron, actor=actor, at=at, data={"context": context} if context else None
    )
    return patron


# --- the staff search: one box for every key -------------------------------------------

SEARCH_LIMIT = 50
_DIGITS_RE = re.compile(r"^[\s0-9０-９\-‐－()（）+＋]+$")


@dataclass(frozen=True)
class PatronSearch:
    """What a search found and by which key: `card`, `phone`, `email` or `name` (name or
    reading)."""

    key: str
    patrons: list[Patron]


def _kind_of_query(query: str) -> str:
    text = query.strip()
    if "@" in text or "＠" in text:
        return "email"
    if _DIGITS_RE.match(text) or indexes.normalize_card(text).isdigit():
        return "number"
    return "name"


def search_patrons(
    library: Library, query: str, *, actor: Actor, at: dt.datetime, limit: int = SEARCH_LIMIT
) -> PatronSearch:
    """Find patrons by card number, phone number, e-mail address, or a name or reading
    (kanji, hiragana, katakana, half-width kana; a part is enough), from one query.

    A number is tried as a card number first, then as a phone number. Each patron listed is
    a staff read of that record: one `patron.searched` access event each, with the key
    that found it (never the query)."""
    kind = _kind_of_query(query)
    patrons: list[Patron] = []
    key = kind
    if kind == "email":
        patrons = list(find_patrons_by_email(library, query).select_related("category")[:limit])
    elif kind == "number":
        key = "card"
        found = find_patron_by_card(library, query)
        if found is not None:
            patrons = [found]
        else:
            key = "phone"
            patrons = list(find_patrons_by_phone(library, query).select_related("category")[:limit])
    else:
        patrons = search_patrons_by_name(library, query, limit=limit)
    for patron in patrons:
        record_access("patron.searched", patron, actor=actor, at=at, data={"key": key})
    return PatronSearch(key=key, patrons=patrons)
