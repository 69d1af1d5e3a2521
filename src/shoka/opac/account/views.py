"""The patron's account pages on the OPAC (/account/; docs/opac-self-service.md).

Thin: each page forwards to the staff side's patron API (client.py) and renders its answer.
The only thing kept is the opaque session token, in a signed, HttpOnly, SameSite=Lax cookie
(Secure over HTTPS) limited to /account/. Every answer is `Cache-Control: private, no-store`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from shoka.opac import catalogue

from .client import Answer, StaffUnavailable, call

COOKIE = "shoka_account"
COOKIE_SALT = "shoka.opac.account"
COOKIE_PATH = "/account/"
COOKIE_MAX_AGE = 4 * 60 * 60  # the staff side ends the session sooner when idle

CHANNELS = {
    "email": _("Email"),
    "phone": _("Phone call"),
    "postcard": _("Postcard"),
}
HOLD_STATUS = {
    "waiting": _("Waiting in the queue"),
    "in_transit": _("On its way to the pickup branch"),
    "ready": _("Ready for pickup"),
}
DONE = {
    "renewed": _("The loan was renewed."),
    "hold_placed": _("The hold was placed."),
    "cancelled": _("The hold was cancelled."),
}

View = Callable[..., HttpResponse]


# --- the token cookie ---------------------------------------------------------------------


def _token(request: HttpRequest) -> str:
    value = request.get_signed_cookie(COOKIE, default="", salt=COOKIE_SALT)
    return value if isinstance(value, str) else ""


def _set_token(request: HttpRequest, response: HttpResponse, token: str) -> None:
    response.set_signed_cookie(
        COOKIE,
        token,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        path=COOKIE_PATH,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def _forget(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Lax")
    return response


# --- decorators -----------------------------------------------------------------------------


def account_page(view: View) -> View:
    """private, no-store on every answer; the staff side unreachable → a friendly 503."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except StaffUnavailable:
            response = render(request, "opac/account/unavailable.html", status=503)
            response["Retry-After"] = "60"
        response["Cache-Control"] = "private, no-store"
        response["Vary"] = "Cookie, Accept-Language"
        return response

    return wrapper


def _to_sign_in(request: HttpRequest, *, ended: bool = False) -> HttpResponse:
    query = {"next": request.get_full_path()} if request.method == "GET" else {}
    if ended:
        query["ended"] = "1"
    url = "/account/sign-in" + (f"?{urlencode(query)}" if query else "")
    return _forget(HttpResponseRedirect(url, status=303))


def _session_ended(answer: Answer) -> bool:
    return answer.status == 401


# --- signing in and out -------------------------------------------------------------------


class SignInForm(forms.Form):
    card = forms.CharField(
        label=_("Card number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "numeric"}),
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=16,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "inputmode": "numeric"}
        ),
    )


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/account/") and "//" not in value and "\\" not in value:
        return value
    return "/account/"


@account_page
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    nxt = _safe_next(request.POST.get("next") or request.GET.get("next"))
    context: dict[str, Any] = {
        "next": nxt,
        "ended": request.GET.get("ended") == "1",
        "signed_out": request.GET.get("signed_out") == "1",
    }
    if request.method == "GET":
        return render(request, "opac/account/sign_in.html", {**context, "form": SignInForm()})
    form = SignInForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return render(request, "opac/account/sign_in.html", context, status=400)
    answer = call(
        "POST",
        "sessions",
        data={"card": form.cleaned_data["card"], "pin": form.cleaned_data["pin"]},
    )
    if answer.status == 201 and isinstance(answer.data.get("token"), str):
        redirect = HttpResponseRedirect(nxt, status=303)
        _set_token(request, redirect, answer.data["token"])
        return redirect
    form = SignInForm(initial={})  # never echo the card number or the PIN back
    context["form"] = form
    if answer.status == 423:
        until = parse_datetime(str(answer.data.get("locked_until", "")))
        context["locked_until"] = timezone.localtime(until) if until else None
        return render(request, "opac/account/sign_in.html", context, status=423)
    if answer.status == 429:
        context["too_many"] = True
        response = render(request, "opac/account/sign_in.html", context, status=429)
        response["Retry-After"] = str(answer.data.get("retry_after", 60))
        return response
    context["invalid"] = True
    return render(request, "opac/account/sign_in.html", context, status=401)


@account_page
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "opac/account/sign_out.html", {"signed_in": bool(_token(request))})
    token = _token(request)
    if token:
        call("DELETE", "sessions", token=token)
    return _forget(HttpResponseRedirect("/account/sign-in?signed_out=1", status=303))


# --- my account -------------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _loans(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for loan in data.get("loans", []):
        out.append({**loan, "due": _date(loan.get("due_on"))})
    return out


def _holds(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for hold in data.get("holds", []):
        branch = hold.get("pickup_branch") or {}
        out.append(
            {
                **hold,
                "status_label": HOLD_STATUS.get(hold.get("status", ""), hold.get("status", "")),
                "channel_label": CHANNELS.get(hold.get("notify_channel", ""), ""),
                "branch_name": _branch_label(branch.get("code", ""), branch),
                "expires": _date(hold.get("expires_on")),
            }
        )
    return out


def _branch_label(code: str, fallback: dict[str, Any]) -> str:
    english = (get_language() or "").startswith("en")
    public = catalogue.get_branch(code) if code else None
    if public is not None:
        return str((public.name_en if english else "") or public.name)
    return str((fallback.get("name_en") if english else "") or fallback.get("name") or code)


def _account(request: HttpRequest, token: str, *, status: int = 200, **extra: Any) -> HttpResponse:
    loans = call("GET", "loans", token=token)
    if _session_ended(loans):
        return _to_sign_in(request, ended=True)
    holds = call("GET", "holds", token=token)
    if _session_ended(holds):
        return _to_sign_in(request, ended=True)
    context = {
        "loans": _loans(loans.data),
        "holds": _holds(holds.data),
        "done": DONE.get(request.GET.get("done", "")),
        **extra,
    }
    return render(request, "opac/account/account.html", context, status=status)


@account_page
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    token = _token(request)
    if not token:
        return _to_sign_in(request)
    return _account(request, token)


def _refusals(answer: Answer) -> list[str]:
    return [str(r.get("message", "")) for r in answer.data.get("refusals", []) if r]


def _act(request: HttpRequest, path: str, *, done: str, missing: str | Promise) -> HttpResponse:
    """Forward one POST action on the patron's own loan or hold to the staff patron API:
    back to the account page when it is done, with the reason when it is refused."""
    token = _token(request)
    if not token:
        return _to_sign_in(request)
    answer = call("POST", path, token=token)
    if _session_ended(answer):
        return _to_sign_in(request, ended=True)
    if answer.status == 200:
        return HttpResponseRedirect(f"/account/?done={done}", status=303)
    if answer.status == 404:
        return _account(request, token, status=404, problem=missing)
    return _account(request, token, status=409, refusals=_refusals(answer))


@account_page
@require_POST
def renew(request: HttpRequest, loan_id: int) -> HttpResponse:
    return _act(
        request, f"loans/{loan_id}/renew", done="renewed", missing=_("No such loan on your card.")
    )


@account_page
@require_POST
def cancel(request: HttpRequest, hold_id: int) -> HttpResponse:
    return _act(
        request,
        f"holds/{hold_id}/cancel",
        done="cancelled",
        missing=_("No such hold on your card."),
    )


# --- placing a hold -----------------------------------------------------------------------------


class HoldForm(forms.Form):
    pickup_branch = forms.ChoiceField(label=_("Pickup branch"))
    notify_channel = forms.ChoiceField(
        label=_("Tell me when it is ready by"), widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, options: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branches = options.get("pickup_branches", [])
        published = {b.code: b for b in catalogue.branches()}
        # Published branches in their display order, then any the catalogue lacks.
        codes = [b["code"] for b in branches]
        ordered = [c for c in published if c in codes] + [c for c in codes if c not in published]
        by_code = {b["code"]: b for b in branches}
        pickup = cast(forms.ChoiceField, self.fields["pickup_branch"])
        channel = cast(forms.ChoiceField, self.fields["notify_channel"])
        pickup.choices = [(code, _branch_label(code, by_code[code])) for code in ordered]
        channel.choices = [(c, CHANNELS.get(c, c)) for c in options.get("channels", [])]


def _record_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("record", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**63 else None


@account_page
@require_http_methods(["GET", "POST"])
def hold_new(request: HttpRequest) -> HttpResponse:
    record_id = _record_id(request)
    if record_id is None:
        return render(request, "opac/account/no_record.html", status=400)
    page = catalogue.get_record(record_id)
    if page is None:
        return render(request, "opac/account/no_record.html", status=404)
    token = _token(request)
    if not token:
        return _to_sign_in(request)
    options = call("GET", "holds/options", token=token)
    if _session_ended(options):
        return _to_sign_in(request, ended=True)
    context: dict[str, Any] = {"record": page.record, "page": page}
    if request.method == "GET":
        form = HoldForm(
            options=options.data,
            initial={
                "pickup_branch": options.data.get("default_pickup"),
                "notify_channel": options.data.get("default_channel"),
            },
        )
        return render(request, "opac/account/hold_new.html", {**context, "form": form})
    form = HoldForm(request.POST, options=options.data)
    context["form"] = form
    if not form.is_valid():
        return render(request, "opac/account/hold_new.html", context, status=400)
    answer = call(
        "POST",
        "holds",
        token=token,
        data={
            "record": record_id,
            "pickup_branch": form.cleaned_data["pickup_branch"],
            "notify_channel": form.cleaned_data["notify_channel"],
        },
    )
    if _session_ended(answer):
        return _to_sign_in(request, ended=True)
    if answer.status == 201:
        return HttpResponseRedirect("/account/?done=hold_placed", status=303)
    if answer.status == 404:
        return render(request, "opac/account/no_record.html", status=404)
    context["refusals"] = _refusals(answer) or [str(_("The hold could not be placed."))]
    return render(request, "opac/account/hold_new.html", context, status=409)
