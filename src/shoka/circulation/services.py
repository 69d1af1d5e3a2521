"""The circulation actions, in one place for callers (views, CLI, SIP2, jobs)."""

from .daily import DailyReport, run_daily
from .errors import OVERRIDE_PERMISSION, CirculationRefused
from .holds import ExpiredHold, cancel_hold, clear_expired_holds, expire_holds, place_hold
from .items import ItemActionRefused, change_item_status, transfer_item, withdraw_item
from .loans import CheckinResult, CheckoutResult, RenewResult, checkin, checkout, renew
from .routing import Route, Routing
from .transit import receive_transit

__all__ = [
    "OVERRIDE_PERMISSION",
    "CheckinResult",
    "CheckoutResult",
    "CirculationRefused",
    "DailyReport",
    "ExpiredHold",
    "ItemActionRefused",
    "RenewResult",
    "Route",
    "Routing",
    "cancel_hold",
    "change_item_status",
    "checkin",
    "checkout",
    "clear_expired_holds",
    "expire_holds",
    "place_hold",
    "receive_transit",
    "renew",
    "run_daily",
    "transfer_item",
    "withdraw_item",
]
