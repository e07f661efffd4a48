"""A provider's settings and credentials: checked against its own models, and the credentials
sealed for storage (``fleetyard.kit.sealing``), bound to their tenant and integration."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, SecretBytes, SecretStr, ValidationError
from pydantic_core import to_jsonable_python

from fleetyard.errors import Conflict, ValidationFailed
from fleetyard.integrations.providers.base import ProviderSpec
from fleetyard.integrations.providers.registry import ProviderName, provider
from fleetyard.kit.sealing import Keyring, SealError, associated_data

PURPOSE = "integration_credentials"


class ProviderUnavailable(ValidationFailed):
    code = "provider_unavailable"
    message = "This provider is not available in this installation yet."


class CredentialsUnreadable(Conflict):
    code = "credentials_unreadable"
    message = (
        "The stored credentials can't be opened with this server's master key; "
        "enter them again (or set FLEETYARD_MASTER_KEY_PREVIOUS during a key rotation)."
    )


def spec_of(name: ProviderName) -> ProviderSpec:
    """The provider's adapter, or 422 ``provider_unavailable`` when its module (or a library
    it needs) is not installed."""
    try:
        return provider(name)
    except (ImportError, AttributeError):
        raise ProviderUnavailable(details={"provider": name.value}) from None


def validated(model: type[BaseModel], document: Mapping[str, Any], field: str) -> BaseModel:
    """The document as the provider's model, or a 422 naming each bad field (never echoing
    the values: credentials must not come back in an error either)."""
    try:
        return model.model_validate(dict(document))
    except ValidationError as exc:
        errors = [
            {
                "loc": ["body", field, *(str(part) for part in err["loc"])],
                "msg": err["msg"],
                "type": err["type"],
            }
            for err in exc.errors(include_input=False, include_url=False, include_context=False)
        ]
        raise ValidationFailed(
            f"The {field} are not valid for this provider.", details={"errors": errors}
        ) from None


def _revealed(value: Any) -> Any:
    if isinstance(value, SecretStr | SecretBytes):
        return _revealed(value.get_secret_value())
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, Mapping):
        return {key: _revealed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_revealed(item) for item in value]
    return value


def plain_document(model: BaseModel) -> dict[str, Any]:
    """The model as JSON-able values, secrets included (to be sealed, never shown)."""
    document: dict[str, Any] = to_jsonable_python(_revealed(model.model_dump()))
    return document


def fields_set(document: Mapping[str, Any]) -> list[str]:
    return sorted(key for key, value in document.items() if value not in (None, "", [], {}))


def seal(keyring: Keyring, tenant_id: uuid.UUID, integration_id: uuid.UUID, document: Any) -> bytes:
    plain = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return keyring.seal(plain, associated_data(PURPOSE, tenant_id, integration_id))


def open_sealed(
    keyring: Keyring, tenant_id: uuid.UUID, integration_id: uuid.UUID, sealed: bytes
) -> dict[str, Any]:
    try:
        plain = keyring.open(sealed, associated_data(PURPOSE, tenant_id, integration_id))
    except SealError:
        raise CredentialsUnreadable(details={"id": str(integration_id)}) from None
    document: dict[str, Any] = json.loads(plain)
    return document
