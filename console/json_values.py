"""Values as JSON carries them: times in ISO 8601 (UTC), containers walked."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    return value
