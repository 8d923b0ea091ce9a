"""The page's language: English or Russian, from the browser's Accept-Language (Django's
LocaleMiddleware), unless the URL says otherwise with ``?lang=ru`` or ``?lang=en`` — the switch
on the page sets it and the permalink keeps it."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

LANGUAGE_PARAMETER = "lang"


def chosen_language(request: HttpRequest) -> str | None:
    """The language ``?lang=`` names, if it is one of settings.LANGUAGES."""
    code = request.GET.get(LANGUAGE_PARAMETER, "")
    return code if code in dict(settings.LANGUAGES) else None


class QueryLanguageMiddleware:
    """After LocaleMiddleware: a language named in the URL wins over Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = chosen_language(request)
        if code is None:
            return self.get_response(request)
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        patch_vary_headers(response, ("Accept-Language",))
        return response
