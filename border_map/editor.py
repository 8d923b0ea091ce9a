"""The editors' pages under /editor/: sign in, add an article, review its places, draft claims
from its passages, and (reviewers) publish or reject them; each object's history.

Views only translate HTTP: the work is in border_map.articles (ingest), review (decisions on
names), drafting (suggestions) and forms (checks). Every form carries Django's CSRF token; a
claim's form also carries the claim's version (Incident.updated), and a form older than the
claim is refused rather than allowed to overwrite a newer change.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Model, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from border_map import acled, drafting, review, roles
from border_map.actors import actor_named
from border_map.articles import ingest_all, sentences
from border_map.datafiles import DataError
from border_map.forms import AcledForm, ArticleForm, ClaimForm, PlaceForm
from border_map.models import Article, Excerpt, Incident, MentionDecision, Place
from border_map.sources import as_record

View = Callable[..., HttpResponseBase]
# Rows of history shown on an object's page.
HISTORY_ROWS = 50


def editor_required(view: View) -> View:
    """Signed-in editors and reviewers only: anonymous visitors go to the sign-in page, other
    users get a 403. The pages are never cached (they show drafts)."""

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not roles.can_edit(request.user):
            raise PermissionDenied("Only editors and reviewers may use the editors' pages.")
        return view(request, *args, **kwargs)

    return wrapped


class LoginView(auth_views.LoginView):
    template_name = "editor/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "editor/logged_out.html"


def _history(obj: Model) -> list[dict[str, Any]]:
    """Who changed what and when, newest first: each change with the fields it changed."""
    records = list(obj.history.select_related("history_user")[: HISTORY_ROWS + 1])  # type: ignore[attr-defined]
    rows = []
    for record, older in zip(records, [*records[1:], None], strict=False):
        changed = []
        if older is not None:
            delta = record.diff_against(older)
            changed = [c.field for c in delta.changes]
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user.get_username() if record.history_user else "",
                "what": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "fields": changed,
            }
        )
    return rows[:HISTORY_ROWS]


def _unique_slug(model: type[Article] | type[Incident], text: str, fallback: str) -> str:
    base = (slugify(text)[:100].strip("-")) or fallback
    slug, number = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


# ---------------------------------------------------------------------------------------------
# Articles.


@editor_required
def home(request: HttpRequest) -> HttpResponse:
    """The articles (newest first) and the claims waiting for a reviewer."""
    articles = Article.objects.order_by("-published", "slug").annotate(
        names=Count("mentions", distinct=True),
        flagged=Count("mentions", filter=Q(mentions__place__needs_review=True), distinct=True),
    )
    drafts = (
        Incident.objects.filter(status=Incident.Status.DRAFT)
        .select_related("place")
        .order_by("-updated")
    )
    return render(
        request,
        "editor/home.html",
        {"articles": articles, "drafts": drafts, "can_publish": roles.can_publish(request.user)},
    )


@editor_required
@require_http_methods(["GET", "POST"])
def acled_import(request: HttpRequest) -> HttpResponse:
    """Import an ACLED-format CSV as draft claims, as `manage.py import_acled` does: the whole
    file is checked first, and a bad one changes nothing."""
    form = AcledForm(request.POST or None, request.FILES or None)
    report: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            report = list(acled.import_acled(form.cleaned_data["upload"]).lines())
        except DataError as error:
            form.add_error("upload", str(error))
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(
        request, "editor/acled_import.html", {"form": form, "report": report}, status=status
    )


@editor_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    """Add an article: its text is ingested as `manage.py ingest_article` would (places,
    mentions, excerpts), in one transaction; a bad file or text changes nothing."""
    form = ArticleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        draft = form.cleaned_data["draft"]
        taken = Article.objects.filter(slug=draft.slug).exclude(text=draft.text).exists()
        if taken:  # another article has this title: this one gets its own slug
            draft.slug = _unique_slug(Article, draft.slug, "article")
        try:
            with transaction.atomic():
                ingest_all([as_record(draft)])
        except DataError as error:
            form.add_error(None, str(error))
        else:
            article = Article.objects.get(text=draft.text)
            messages.success(request, f"Added {article.title}: review its places below.")
            return redirect("editor_article", slug=article.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "editor/article_new.html", {"form": form}, status=status)


def _pieces(text: str, names: list[review.Name]) -> list[dict[str, Any]]:
    """The text cut at every name's edges: plain pieces and names, each with its offset."""
    pieces: list[dict[str, Any]] = []
    at = 0
    for number, name in enumerate(names):
        if name.start < at:
            continue  # overlapping names: the first wins
        if name.start > at:
            pieces.append({"start": at, "text": text[at : name.start]})
        pieces.append({"start": name.start, "text": text[name.start : name.end], "name": number})
        at = name.end
    if at < len(text):
        pieces.append({"start": at, "text": text[at:]})
    for piece in pieces:
        if "name" in piece:
            piece["state"] = names[piece["name"]].state
        # The HTML parser turns a CR (of CRLF) into a LF, which would shift every offset the
        # page's script computes after it; a character reference keeps it.
        piece["html"] = mark_safe(escape(piece["text"]).replace("\r", "&#13;"))
    return pieces


def _claims_of(article: Article) -> list[Incident]:
    return list(
        Incident.objects.filter(excerpts__article=article)
        .distinct()
        .select_related("place")
        .order_by("date", "slug")
    )


@editor_required
def article_review(request: HttpRequest, slug: str) -> HttpResponse:
    """The article with every name highlighted (resolved, needs review, unresolved, rejected),
    the map of their places and candidates, its claims and the claims it could make."""
    article = get_object_or_404(Article, slug=slug)
    names = review.names(article)
    claims = _claims_of(article)
    quoted = [(e.start, e.end) for e in Excerpt.objects.filter(incidents__in=claims)]
    dismissed = [tuple(span) for span in article.geoparse_result.get("dismissed", [])]
    mention_keys = [(n.start, n.end, n.place.slug) for n in names if n.place is not None]
    proposals = drafting.propose(
        article.text, sentences(article.text), article.published, mention_keys, quoted + dismissed
    )
    counts = {
        state: sum(n.state == state for n in names)
        for state in (review.RESOLVED, review.NEEDS_REVIEW, review.UNRESOLVED, review.REJECTED)
    }
    return render(
        request,
        "editor/article_review.html",
        {
            "article": article,
            "pieces": _pieces(article.text, names),
            "names_json": [n.as_json() for n in names],
            "counts": counts,
            "claims": claims,
            "proposals": proposals,
            "history": _history(article),
            "kinds": Place.Kind.choices,
            "tile_url": settings.BORDER_MAP["TILE_URL"],
        },
    )


@editor_required
@require_POST
def article_reingest(request: HttpRequest, slug: str) -> HttpResponse:
    """Geoparse the stored text again (a new gazetteer, a better geoparser); the editors'
    decisions are applied again over the new answer."""
    article = get_object_or_404(Article, slug=slug)
    meta = {
        "slug": article.slug,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "published": article.published,
        "language": article.language,
    }
    try:
        with transaction.atomic():
            ingest_all([(f"article {article.slug}", meta, article.text)])
    except DataError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Ingested again; the decisions on its names were kept.")
    return redirect("editor_article", slug=slug)


def _int(request: HttpRequest, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise review.ReviewError(f"{name} must be a whole number.") from None


@editor_required
@require_POST
def name_decide(request: HttpRequest, slug: str) -> HttpResponse:
    """One decision on one name: accept its place, choose another candidate, reject it (not a
    place) or place it at a clicked point with a precision and a source."""
    article = get_object_or_404(Article, slug=slug)
    action = request.POST.get("action", "")
    user: Any = request.user
    try:
        start, end = _int(request, "start"), _int(request, "end")
        place: Place | None = None
        with transaction.atomic():
            if action == MentionDecision.Action.ACCEPT:
                mention = article.mentions.filter(start=start, end=end).first()
                if mention is None:
                    raise review.ReviewError("That name has no place to accept; place it.")
                place = mention.place
            elif action == MentionDecision.Action.CHOOSE:
                place = review.candidate_place(article, start, end, _int(request, "candidate"))
            elif action == MentionDecision.Action.PLACE:
                form = PlaceForm(request.POST)
                if not form.is_valid():
                    problems = "; ".join(
                        f"{field}: {' '.join(str(e) for e in errors)}"
                        for field, errors in form.errors.items()
                    )
                    raise review.ReviewError(f"The point is not placed: {problems}")
                data = form.cleaned_data
                place = review.new_place(
                    article.text[start:end] if 0 <= start < end <= len(article.text) else "",
                    data["lat"],
                    data["lon"],
                    data["precision_m"],
                    data["source"],
                    data["kind"],
                )
            review.decide(article, start, end, action, user, place)
    except review.ReviewError as error:
        messages.error(request, str(error))
        return redirect(
            reverse("editor_article", args=[slug]) + f"#name-{request.POST.get('start', '')}"
        )
    name = article.text[start:end]
    what = {
        "accept": f"{name}: accepted",
        "choose": f"{name}: now {place}",
        "reject": f"{name}: not a place",
        "place": f"{name}: placed on the map as {place}",
    }[action]
    messages.success(request, what)
    return redirect(reverse("editor_article", args=[slug]) + f"#name-{start}")


@editor_required
@require_POST
def proposal_dismiss(request: HttpRequest, slug: str) -> HttpResponse:
    """Discard a proposed claim: the sentence is not proposed again."""
    article = get_object_or_404(Article, slug=slug)
    try:
        start, end = _int(request, "start"), _int(request, "end")
    except review.ReviewError as error:
        messages.error(request, str(error))
        return redirect("editor_article", slug=slug)
    result = dict(article.geoparse_result)
    result["dismissed"] = [*result.get("dismissed", []), [start, end]]
    article.geoparse_result = result
    article.save(update_fields=["geoparse_result"])
    messages.success(request, "Proposal discarded.")
    return redirect(reverse("editor_article", args=[slug]) + "#proposals")


# ---------------------------------------------------------------------------------------------
# Claims.


class PassageError(ValueError):
    """A passage that is not a verbatim span of the article's text."""


def _span(
    article: Article, start: str | int, end: str | int, quote: str | None = None
) -> tuple[int, int]:
    """A verbatim, non-blank span of the article, checked against the quoted words if given."""
    try:
        a, b = int(start), int(end)
    except (TypeError, ValueError):
        raise PassageError(f"[{start}:{end}] is not a passage of this article.") from None
    if not (0 <= a < b <= len(article.text)) or not article.text[a:b].strip():
        raise PassageError(f"[{a}:{b}] is not a passage of this article's text.")
    if quote is not None and article.text[a:b] != quote:
        raise PassageError("The passage is not in the article's text at those offsets.")
    return a, b


def _find_passage(article: Article, passage: str) -> tuple[int, int]:
    passage = passage.strip()
    at = article.text.find(passage) if passage else -1
    if at < 0:
        raise PassageError(
            "That passage is not in the article's text (paste it exactly as the text has it)."
        )
    return at, at + len(passage)


def _excerpt(article: Article, start: int, end: int) -> Excerpt:
    excerpt, _ = Excerpt.objects.get_or_create(
        article=article, start=start, end=end, defaults={"text": article.text[start:end]}
    )
    excerpt.places.add(
        *Place.objects.filter(
            mentions__article=article, mentions__start__gte=start, mentions__end__lte=end
        )
    )
    return excerpt


def _spans_posted(request: HttpRequest, article: Article) -> list[tuple[int, int]]:
    """The excerpts a claim form posts: kept spans ("start:end") and a pasted passage."""
    spans = []
    for value in request.POST.getlist("excerpt"):
        start, _, end = value.partition(":")
        spans.append(_span(article, start, end))
    passage = request.POST.get("add_passage", "")
    if passage.strip():
        spans.append(_find_passage(article, passage))
    if not spans:
        raise PassageError("A claim needs at least one excerpt of the article.")
    return sorted(set(spans))


def _suggestion(article: Article, start: int, end: int) -> drafting.Suggestion:
    mentions = [(m.start, m.end, m.place.slug) for m in article.mentions.select_related("place")]
    return drafting.suggest(article.text, start, end, article.published, mentions)


def _claim_page(
    request: HttpRequest,
    form: ClaimForm,
    article: Article,
    spans: list[tuple[int, int]],
    incident: Incident | None = None,
    suggestion: drafting.Suggestion | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "editor/claim_form.html",
        {
            "form": form,
            "article": article,
            "excerpts": [
                {"start": a, "end": b, "text": article.text[a:b], "value": f"{a}:{b}"}
                for a, b in spans
            ],
            "incident": incident,
            "suggestion": suggestion,
            "can_publish": roles.can_publish(request.user),
            "history": _history(incident) if incident else [],
            "excerpt_history": [
                {**row, "excerpt": f"[{e.start}:{e.end}]"}
                for e in (incident.excerpts.all() if incident else [])
                for row in _history(e)
            ],
        },
        status=status,
    )


@editor_required
@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest, slug: str) -> HttpResponse:
    """A draft claim from a selected passage (?start=&end=&quote=): the form comes filled with
    the suggestions of border_map.drafting; it is saved as a draft."""
    article = get_object_or_404(Article, slug=slug)
    if request.method == "GET":
        try:
            start, end = _span(
                article,
                request.GET.get("start", ""),
                request.GET.get("end", ""),
                request.GET.get("quote"),
            )
        except PassageError as error:
            return render(
                request,
                "editor/message.html",
                {"article": article, "message": str(error)},
                status=400,
            )
        suggestion = _suggestion(article, start, end)
        initial = {
            "title": suggestion.title,
            "claimed_by": suggestion.claimant,
            "actor": actor_named(suggestion.claimant) if suggestion.claimant else None,
            "type": suggestion.type,
            "date": suggestion.date,
            "date_end": suggestion.date_end,
            "date_precision": suggestion.date_precision,
            "casualties": suggestion.casualties,
            "place": Place.objects.filter(slug__in=suggestion.places[:1]).first(),
        }
        form = ClaimForm(initial=initial, article=article)
        return _claim_page(request, form, article, [(start, end)], suggestion=suggestion)
    form = ClaimForm(request.POST, article=article)
    try:
        spans = _spans_posted(request, article)
    except PassageError as error:
        form.is_valid()
        form.add_error(None, str(error))
        return _claim_page(request, form, article, [], status=400)
    if not form.is_valid():
        return _claim_page(request, form, article, spans, status=400)
    with transaction.atomic():
        incident = form.save(commit=False)
        incident.slug = _unique_slug(Incident, incident.title, "claim")
        incident.status = Incident.Status.DRAFT
        incident.save()
        incident.excerpts.set([_excerpt(article, a, b) for a, b in spans])
    messages.success(request, "Draft saved: a reviewer publishes it.")
    return redirect("editor_claim", slug=incident.slug)


def _article_of(incident: Incident) -> Article:
    excerpt = incident.excerpts.select_related("article").first()
    if excerpt is None:
        raise PermissionDenied("This claim quotes no article; edit it in the admin.")
    return excerpt.article


def _stale(request: HttpRequest, incident: Incident) -> bool:
    return request.POST.get("version", "") != incident.updated.isoformat()


STALE_MESSAGE = (
    "Someone else changed this claim after you opened it; nothing was saved. "
    "The form now shows their version: make your change again."
)


@editor_required
@require_http_methods(["GET", "POST"])
def claim_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """A claim's page: its form (a stale one is refused), its excerpts, its history, and the
    reviewer's buttons. An editor's change to a published claim sends it back to draft."""
    incident = get_object_or_404(Incident.objects.select_related("place"), slug=slug)
    article = _article_of(incident)
    current = sorted((e.start, e.end) for e in incident.excerpts.all())
    if request.method == "GET":
        form = ClaimForm(
            instance=incident, article=article, initial={"version": incident.updated.isoformat()}
        )
        return _claim_page(request, form, article, current, incident)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if _stale(request, locked):
            messages.error(request, STALE_MESSAGE)
            form = ClaimForm(
                instance=locked, article=article, initial={"version": locked.updated.isoformat()}
            )
            return _claim_page(request, form, article, current, locked, status=409)
        form = ClaimForm(request.POST, instance=locked, article=article)
        try:
            spans = _spans_posted(request, article)
        except PassageError as error:
            form.is_valid()
            form.add_error(None, str(error))
            return _claim_page(request, form, article, current, locked, status=400)
        if not form.is_valid():
            return _claim_page(request, form, article, spans, locked, status=400)
        incident = form.save(commit=False)
        back_to_draft = incident.status == Incident.Status.PUBLISHED and not roles.can_publish(
            request.user
        )
        if back_to_draft:
            incident.status = Incident.Status.DRAFT
        incident.save()
        incident.excerpts.set([_excerpt(article, a, b) for a, b in spans])
    messages.success(
        request,
        "Saved" + (": back to draft until a reviewer publishes it." if back_to_draft else "."),
    )
    return redirect("editor_claim", slug=incident.slug)


@editor_required
@require_POST
def claim_status(request: HttpRequest, slug: str) -> HttpResponse:
    """Publish, reject or withdraw to draft: reviewers only (a 403 for editors). The public
    map, the API and the exports read the status on their next request."""
    if not roles.can_publish(request.user):
        raise PermissionDenied("Only reviewers publish or reject claims.")
    status = request.POST.get("status", "")
    if status not in Incident.Status.values:
        messages.error(request, f"{status!r} is not a status.")
        return redirect("editor_claim", slug=slug)
    with transaction.atomic():
        incident = get_object_or_404(Incident.objects.select_for_update(), slug=slug)
        if _stale(request, incident):
            messages.error(
                request, STALE_MESSAGE.replace("nothing was saved", "its status was not changed")
            )
            return redirect("editor_claim", slug=slug)
        if not incident.excerpts.exists():
            messages.error(request, "A claim without an excerpt cannot be published.")
            return redirect("editor_claim", slug=slug)
        incident.status = status
        incident.save(update_fields=["status", "updated"])
    messages.success(request, f"{incident.title}: {status}.")
    return redirect("editor_claim", slug=slug)


@editor_required
def place_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A place: where its point comes from, the articles naming it, its history."""
    place = get_object_or_404(Place, slug=slug)
    articles = Article.objects.filter(mentions__place=place).distinct()
    return render(
        request,
        "editor/place.html",
        {"place": place, "articles": articles, "history": _history(place)},
    )
