"""The inspection domain's refusals (stable codes, the shared error shape)."""

from __future__ import annotations

from fleetyard.errors import Conflict, FleetyardError


class PayloadTooLarge(FleetyardError):
    status_code = 413
    code = "payload_too_large"
    message = "The request body is too large."


class PhotoTooLarge(FleetyardError):
    status_code = 413
    code = "photo_too_large"
    message = "A photo is larger than allowed."


class UnsupportedPhoto(FleetyardError):
    status_code = 415
    code = "unsupported_photo_type"
    message = "A photo is not a JPEG, PNG, WebP or HEIC image."


class PhotoTypeMismatch(FleetyardError):
    status_code = 415
    code = "photo_type_mismatch"
    message = "A photo's content does not match its declared content type."


class NoTemplate(Conflict):
    code = "no_inspection_template"
    message = "No active checklist fits this vehicle and kind of inspection."
