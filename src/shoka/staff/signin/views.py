"""Sign-in pages: password, second step (code or enrolment), sign-out, and the signed-in
user's own two-step verification page. Thin: the flow lives in flow.py and totp.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from shoka.audit.actors import Actor

from ..access import public_view, staff_view
from . import flow, totp
from .forms import ERROR_ID, SignInForm, TokenForm, point_at_error


class SignInView(LoginView):
    template_name = "staff/signin/login.html"
    authentication_form = SignInForm

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        flow.clear_pending(request)  # back on the first step: start again
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        next_url = self.get_success_url()
        step = flow.second_step_for(user)
        if step is None:
            flow.complete(self.request, user)
            return redirect(next_url)
        flow.begin(self.request, user, next_url=next_url, step=step)
        if step is flow.SecondStep.VERIFY:
            return redirect("staff:signin_code")
        return redirect("staff:signin_enrol")

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        point_at_error(form, focus="password")
        return super().form_invalid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "error_id": ERROR_ID}


sign_in = public_view(SignInView.as_view())


def _second_step(request: HttpRequest, expected: flow.SecondStep) -> flow.Pending | None:
    pending = flow.pending(request)
    if pending is None or pending.step is not expected:
        messages.info(request, _("Your sign-in took too long. Please sign in again."))
        return None
    return pending


@public_view
@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponseBase:
    """Second step for a user with an authenticator: the current code."""
    pending = _second_step(request, flow.SecondStep.VERIFY)
    if pending is None:
        return redirect("staff:login")
    device = flow.confirmed_device(pending.user)
    if device is None:  # removed in the meantime by an administrator
        flow.clear_pending(request)
        return redirect("staff:login")
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            flow.complete(request, pending.user, backend=pending.backend, device=device)
            return redirect(pending.next_url)
        flow.refuse_code(pending.user, step=flow.SecondStep.VERIFY)
        error = (
            _("That code is not right. Check the time on your phone and try the newest code.")
            if allowed
            else _("Too many wrong codes. Wait a minute, then try the newest code.")
        )
    if error or form.errors:
        point_at_error(form, focus="token")
    return render(
        request,
        "staff/signin/code.html",
        {"form": form, "error": error, "error_id": ERROR_ID},
        status=400 if request.method == "POST" else 200,
    )


@public_view
@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def sign_in_enrol(request: HttpRequest) -> HttpResponseBase:
    """Second step when two-step verification is required and the user has no device yet:
    enrol one now."""
    pending = _second_step(request, flow.SecondStep.ENROL)
    if pending is None:
        return redirect("staff:login")
    enrolment = totp.enrolment_for(pending.user)
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        actor = Actor.for_user(pending.user)
        if totp.confirm(enrolment.device, form.cleaned_data["token"], actor=actor):
            flow.complete(request, pending.user, backend=pending.backend, device=enrolment.device)
            return redirect(pending.next_url)
        flow.refuse_code(pending.user, step=flow.SecondStep.ENROL)
        error = _("That code is not right. Scan the code again and enter the newest code.")
    if error or form.errors:
        point_at_error(form, focus="token")
    return render(
        request,
        "staff/signin/enrol.html",
        {
            "form": form,
            "error": error,
            "error_id": ERROR_ID,
            "enrolment": enrolment,
            "required": True,
        },
        status=400 if request.method == "POST" else 200,
    )


@public_view
@require_POST
@csrf_protect
def sign_out(request: HttpRequest) -> HttpResponse:
    flow.clear_pending(request)
    flow.sign_out(request)
    messages.info(request, _("You have signed out."))
    return redirect("staff:login")


@staff_view()
@sensitive_post_parameters("token")
@never_cache
def two_step(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own two-step verification: enrol an authenticator, or remove it
    (with a current code, so that an unattended desk cannot be used to remove it)."""
    user = request.user
    actor = Actor.for_user(user)
    device = flow.confirmed_device(user)
    form = TokenForm(request.POST or None)
    error = ""
    if device is None:
        enrolment = totp.enrolment_for(user)
        if request.method == "POST" and form.is_valid():
            if totp.confirm(enrolment.device, form.cleaned_data["token"], actor=actor):
                from django_otp import login as otp_login

                otp_login(request, enrolment.device)
                messages.success(request, _("Two-step verification is on."))
                return redirect("staff:two_step")
            error = _("That code is not right. Scan the code again and enter the newest code.")
    else:
        enrolment = None
        if request.method == "POST" and form.is_valid():
            allowed, _info = device.verify_is_allowed()
            if allowed and device.verify_token(form.cleaned_data["token"]):
                totp.remove(device, actor=actor)
                messages.success(request, _("Two-step verification is off."))
                return redirect("staff:two_step")
            error = (
                _("That code is not right.")
                if allowed
                else _("Too many wrong codes. Wait a minute, then try the newest code.")
            )
    if error or form.errors:
        point_at_error(form, focus="token")
    return render(
        request,
        "staff/signin/two_step.html",
        {
            "device": device,
            "enrolment": enrolment,
            "form": form,
            "error": error,
            "error_id": ERROR_ID,
            "required": flow.otp_required(),
        },
        status=400 if request.method == "POST" else 200,
    )
