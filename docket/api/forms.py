"""A JSON body as the data of a step's form: the API runs the very forms the workspace shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _

from docket.core.errors import FieldError, InvalidInput


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def form_data(body: Any) -> QueryDict:
    """``{"officers": [1, 2], "penalties": [{"measure": "fine"}]}`` as the keys a form and its formsets read:
    ``officers`` twice, ``penalties-TOTAL_FORMS``, ``penalties-0-measure``, ..."""
    if isinstance(body, QueryDict):
        return body
    data = QueryDict(mutable=True)
    if not isinstance(body, Mapping):
        raise InvalidInput(FieldError("", _("The body must be a JSON object.")))
    for key, value in body.items():
        key = str(key)
        if value is None:
            continue
        if isinstance(value, list) and any(isinstance(v, Mapping) for v in value):
            data[f"{key}-TOTAL_FORMS"] = str(len(value))
            data[f"{key}-INITIAL_FORMS"] = "0"
            data[f"{key}-MIN_NUM_FORMS"] = "0"
            data[f"{key}-MAX_NUM_FORMS"] = "1000"
            for i, item in enumerate(value):
                if not isinstance(item, Mapping):
                    raise InvalidInput(FieldError(key, _("Each item must be a JSON object."), row=i + 1))
                for name, v in item.items():
                    if isinstance(v, list):
                        data.setlist(f"{key}-{i}-{name}", [_scalar(x) for x in v])
                    elif v is not None:
                        data[f"{key}-{i}-{name}"] = _scalar(v)
        elif isinstance(value, list):
            data.setlist(key, [_scalar(v) for v in value])
        elif isinstance(value, Mapping):
            raise InvalidInput(FieldError(key, _("A list of objects or a value is expected here.")))
        else:
            data[key] = _scalar(value)
    return data


def form_errors(form: forms.Form) -> InvalidInput:
    """A form's errors (and its formsets', each with its row, counted from 1) as the service's refusal."""
    errors: list[FieldError] = []
    for name, messages in form.errors.items():
        for message in messages:
            errors.append(FieldError("" if name == "__all__" else name, str(message)))
    for attr, value in vars(form).items():
        if not isinstance(value, forms.BaseFormSet) or not value.is_bound:
            continue
        for message in value.non_form_errors():
            errors.append(FieldError(attr, str(message)))
        for i, row in enumerate(value.errors):
            for name, row_messages in cast(dict[str, list[Any]], row).items():
                for message in row_messages:
                    field = attr if name == "__all__" else f"{attr}.{name}"
                    errors.append(FieldError(field, str(message), row=i + 1))
    return InvalidInput(errors)
