"""shoka's own personal-data files (個人情報ファイル簿), for `shoka audit register`.

Which tables hold personal data and which attributes is *derived from the model definitions*:
a field encrypted at rest (``EncryptedTextField``/``EncryptedDateField`` — DESIGN.md encrypts
every personal field) is a personal attribute, named after the field; a sealed file
(``SealedBlobField``) holds the attributes it declares; a relation to ``Patron`` (foreign
key, one-to-one or many-to-many) links every row to a person, and so does a foreign key to a
model that has one (a notice's lines name the patron through the notice); the audit and
access logs link rows to patrons by
``object_type = "patrons.patron"``. The number of records and persons comes from the live
database, and who may read each table from the permissions of the staff roles (Django groups)
in the database. Only the purpose and retention rule are written by hand, in
:data:`RULES`; a test fails when a model holds personal data and has no rule, so the register
cannot drift from the schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from shoka.audit.scan.records import ATTRIBUTES

# Attribute of an encrypted field, from the words of its name (first match wins).
_FIELD_WORDS: Final = (
    ("guardian", "guardian"),
    ("kana", "kana"),
    ("card", "patron_id"),
    ("birth", "birth_date"),
    ("postal", "postal_code"),
    ("address", "address"),
    ("phone", "phone"),
    ("email", "email"),
    ("name", "name"),
)
PATRON_OBJECT: Final = "patrons.patron"
# A municipality must register a personal-data file about more than 1,000 people.
REGISTER_THRESHOLD: Final = 1000


@dataclass(frozen=True, slots=True)
class Rule:
    purpose: str
    retention: str
    # Who else may read it, beyond the roles with the view permission (a command line …).
    access: str = ""


RULES: Final[dict[str, Rule]] = {
    "patrons.patron": Rule(
        "Patron registration (利用者登録): identify patrons, reach them about loans and holds.",
        "While registered (until expires_on and renewals). shoka does not yet remove expired "
        "registrations by itself: an administrator must (an open task).",
    ),
    "patrons.patronsearchtoken": Rule(
        "Keyed-hash tokens of names and readings, to find patrons without decrypting them.",
        "Deleted with the patron (CASCADE); rebuilt on key rotation.",
    ),
    "circulation.loan": Rule(
        "Loans (貸出): which patron has which item until it comes back.",
        "The patron link is erased at return (図書館の自由に関する宣言, article 3) unless the "
        "patron opted in to a reading history (keeps_reading_history).",
    ),
    "circulation.hold": Rule(
        "Holds (予約・取置): the queue of patrons waiting for a title.",
        "The patron link is erased when the hold is collected, cancelled or expires, unless "
        "the patron opted in to a reading history.",
    ),
    "notices.notice": Rule(
        "Notices (督促・予約連絡): which patron was sent which notice, when and how; ids only "
        "(names, addresses and titles are read from the records when a notice is printed).",
        "Deleted with the patron (CASCADE).",
        "Staff screens Notices, Phone calls and Notice history (librarians, administrators).",
    ),
    "notices.noticeloan": Rule(
        "The lines of an overdue notice: which loans (item ids, due dates) a notice was "
        "about; the patron through the notice.",
        "Deleted 30 days after the loan was returned (SHOKA_NOTICE_LINES_DAYS; the daily "
        "job), or with the notice, so with the patron (CASCADE).",
        "Staff screen Notice history (librarians, administrators).",
    ),
    "notices.storedfile": Rule(
        "Sealed copies of printed letters and postcards (names, addresses, titles) kept on "
        "request (`shoka notices print --keep`) so they can be fetched again; encrypted with "
        "the data key (AES-256-GCM) in the database, never as a file.",
        "Expires after SHOKA_NOTICE_FILE_HOURS (24 hours by default) and is deleted by the "
        "daily job (`shoka daily`, `shoka notices purge`). Persons counted per file, so a "
        "patron in two files counts twice.",
        "Command line only: `shoka notices fetch TOKEN` by an operator of the server, who "
        "holds the key file (audit-logged). No staff screen reads it.",
    ),
    "selfservice.patronsession": Rule(
        "Self-service sessions (OPAC sign-in, docs/opac-self-service.md): which patron a "
        "session token belongs to; the token itself only as its SHA-256 hash.",
        "Ends after 30 idle minutes or 4 hours; ended and expired sessions are deleted by "
        "shoka.selfservice.services.purge (run now and then by the patron API).",
        "The patron API only (the OPAC, signed requests); no staff screen reads it.",
    ),
    "audit.auditevent": Rule(
        "Audit log: every state change, with patron ids only (no personal data in clear).",
        "Append-only, never deleted (hash-chained); patron ids only.",
    ),
    "audit.accessevent": Rule(
        "Access log: every staff read of a patron record (who viewed whom).",
        "Append-only, never deleted (hash-chained).",
    ),
}


@dataclass(frozen=True, slots=True)
class Entry:
    model: str
    table: str
    purpose: str
    attributes: list[str]
    encrypted_fields: list[str]
    records: int
    persons: int
    retention: str
    access: list[str]

    @property
    def must_register(self) -> bool:
        return self.persons > REGISTER_THRESHOLD


def _attribute(field_name: str) -> str | None:
    words = field_name.lower().split("_")
    for word, attribute in _FIELD_WORDS:
        if word in words:
            return attribute
    return None


def links_to(field: Any, model: Any) -> bool:
    """Whether ``field`` is a model's own relation (foreign key, one-to-one or many-to-many,
    not a reverse accessor) to ``model``."""
    return bool(
        getattr(field, "is_relation", False)
        and not field.auto_created
        and field.related_model is model
    )


def personal_models() -> list[tuple[Any, list[str], list[str], str | None]]:
    """(model, attributes, encrypted field names, how rows link to a patron) for every model
    that holds personal data, from the model definitions alone."""
    from django.apps import apps

    from shoka.audit.models import LogEntry
    from shoka.patrons.models import Patron
    from shoka.security.fields import EncryptedDateField, EncryptedTextField, SealedBlobField

    def patron_field(model: Any) -> Any:
        for field in model._meta.get_fields():
            if getattr(field, "many_to_one", False) and field.related_model is Patron:
                return field
        return None

    found = []
    for model in apps.get_models():
        attributes: set[str] = set()
        encrypted: list[str] = []
        link: str | None = None
        for field in model._meta.get_fields():
            if isinstance(field, EncryptedTextField | EncryptedDateField):
                encrypted.append(field.name)
                attribute = _attribute(field.name)
                if attribute:
                    attributes.add(attribute)
            elif isinstance(field, SealedBlobField):
                encrypted.append(field.name)
                attributes.update(field.holds)
            elif links_to(field, Patron):
                link = field.name
                attributes.add("patron_id")
        if link is None and model is not Patron:
            # One step further: a row that points at a patron's row names the patron too.
            # A link the patron cannot lose (not null) is preferred: a loan forgets its
            # patron at return, a notice does not.
            hops = [
                (field, through)
                for field in model._meta.get_fields()
                if getattr(field, "many_to_one", False)
                and field.related_model is not None
                and (through := patron_field(field.related_model)) is not None
            ]
            if hops:
                field, through = min(hops, key=lambda hop: bool(hop[1].null))
                link = f"{field.name}__{through.name}"
                attributes.add("patron_id")
        if issubclass(model, LogEntry):
            link, attributes = "object_id", attributes | {"patron_id"}
        if model is Patron:
            link = "pk"
        if attributes:
            ordered = [a for a in ATTRIBUTES if a in attributes]
            found.append((model, ordered, encrypted, link))
    return found


def _counts(model: Any, link: str | None) -> tuple[int, int]:
    from django.db.models import Sum

    from shoka.audit.models import LogEntry

    rows = model.objects.all()
    if issubclass(model, LogEntry):
        rows = rows.filter(object_type=PATRON_OBJECT)
        return rows.count(), rows.values("object_id").distinct().count()
    if link is None and any(f.name == "persons" for f in model._meta.get_fields()):
        # Sealed files say how many people each is about (upper bound: no decryption).
        return rows.count(), int(rows.aggregate(n=Sum("persons"))["n"] or 0)
    if link in (None, "pk"):
        count = rows.count()
        return count, count
    rows = rows.exclude(**{f"{link}__isnull": True})
    return rows.count(), rows.values(link).distinct().count()


def _access(model: Any, note: str = "") -> list[str]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()  # noqa: N806

    codename = f"view_{model._meta.model_name}"
    groups = Group.objects.filter(
        permissions__codename=codename,
        permissions__content_type__app_label=model._meta.app_label,
    )
    names = sorted(groups.values_list("name", flat=True).distinct())
    direct = (
        User.objects.filter(
            is_active=True,
            user_permissions__codename=codename,
            user_permissions__content_type__app_label=model._meta.app_label,
        )
        .distinct()
        .count()
    )
    superusers = User.objects.filter(is_active=True, is_superuser=True).count()
    if direct:
        names.append(f"{direct} user(s) granted directly")
    if superusers:
        names.append(f"{superusers} superuser(s)")
    if note:
        names.append(note)
    return names


def register() -> list[Entry]:
    """The register as of now, one entry per personal-data table."""
    entries = []
    for model, attributes, encrypted, link in personal_models():
        label = model._meta.label_lower
        rule = RULES.get(label)
        if rule is None:
            raise LookupError(f"{label} holds personal data but has no rule in audit.register")
        records, persons = _counts(model, link)
        entries.append(
            Entry(
                model=label,
                table=model._meta.db_table,
                purpose=rule.purpose,
                attributes=attributes,
                encrypted_fields=encrypted,
                records=records,
                persons=persons,
                retention=rule.retention,
                access=_access(model, rule.access),
            )
        )
    return entries
