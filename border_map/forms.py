"""The editors' forms: a new article (pasted or uploaded, read by border_map.sources), a place
put on the map by hand, and a claim with its verbatim excerpts. Each refuses bad input with a
message that says what to change, before anything is stored."""

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from border_map import sources
from border_map.models import Actor, Article, Incident, Place
from border_map.review import MAX_PRECISION_M

# A claim's date may lie this far before the article's publication (background told again).
OLDEST_CLAIM_YEARS = 10
# A planned event ("talks will be held on ...") this far after it.
PLANNED_DAYS = 366


class ArticleForm(forms.Form):
    """A new article: pasted text or an uploaded .txt/.html file, with the metadata a file does
    not say (what the HTML says fills the blanks; what is typed here wins)."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        strip=False,  # the text is kept verbatim: excerpt offsets point into it
        help_text="Paste the article's text, or upload a file below.",
    )
    upload = forms.FileField(
        required=False, help_text="A .txt (UTF-8) or .html file of the article."
    )
    title = forms.CharField(max_length=300, required=False)
    outlet = forms.CharField(max_length=200, required=False)
    url = forms.URLField(max_length=500, required=False, assume_scheme="https")
    published = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="YYYY-MM-DD"
    )
    language = forms.ChoiceField(
        choices=[("auto", "from the text"), ("en", "English"), ("ru", "Russian")],
        initial="auto",
    )

    def clean_upload(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        limit = settings.EDITOR_MAX_UPLOAD_BYTES
        name = upload.name or ""
        if not name.lower().endswith((".txt", ".html", ".htm")):
            raise forms.ValidationError(f"{name}: upload a .txt or .html file.")
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"{name} is {upload.size:,} bytes; an article file may have at most {limit:,}."
            )
        if not upload.size:
            raise forms.ValidationError(f"{name} is empty.")
        return upload

    def clean_published(self) -> datetime.date | None:
        published = self.cleaned_data.get("published")
        if published and not datetime.date(1991, 1, 1) <= published <= datetime.date.today():
            raise forms.ValidationError("A publication date between 1991 and today, please.")
        return published

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        text, upload = data.get("text") or "", data.get("upload")
        if text.strip() and upload:
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        if not text.strip() and not upload:
            raise forms.ValidationError("Paste the article's text or upload its file.")
        options = {
            "title": data.get("title"),
            "outlet": data.get("outlet"),
            "url": data.get("url"),
            "published": data.get("published"),
            "language": data.get("language"),
        }
        try:
            if upload:
                raw = upload.read()
                name = upload.name or "upload"
                if b"\x00" in raw:
                    raise sources.SourceError(f"{name}: NUL bytes: a binary file, not text")
                try:
                    content = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise sources.SourceError(
                        f"{name}: not UTF-8 text, perhaps a binary file ({error.reason})"
                    ) from error
                stem = name.rsplit(".", 1)[0]
                if name.lower().endswith(".txt"):
                    draft = sources.from_text(content, name, options, stem)
                else:
                    draft = sources.from_html(content, name, options)
            else:
                # Browsers send a textarea's line ends as CRLF (HTML's form encoding); the
                # article's own are LF.
                text = text.replace("\r\n", "\n")
                draft = sources.from_text(text, "the pasted text", options)
        except sources.SourceError as error:
            # The command's messages name its options; here they are the form's fields.
            raise forms.ValidationError(str(error).replace("give --", "fill in ")) from error
        if not datetime.date(1991, 1, 1) <= draft.published <= datetime.date.today():
            raise forms.ValidationError(
                f"The publication date {draft.published} is not between 1991 and today."
            )
        data["draft"] = draft
        return data


class PlaceForm(forms.Form):
    """A point clicked on the review page's map, with how precise it is and where it comes from."""

    lat = forms.FloatField(min_value=-90, max_value=90)
    lon = forms.FloatField(min_value=-180, max_value=180)
    precision_m = forms.IntegerField(min_value=1, max_value=MAX_PRECISION_M, initial=1000)
    source = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=Place.Kind.choices, initial=Place.Kind.SETTLEMENT)


class ClaimForm(forms.ModelForm):
    """A claim (an Incident) as an editor drafts it; its excerpts are checked by the view
    against the article's text (verbatim spans with offsets)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Incident
        fields = [
            "title",
            "claimed_by",
            "actor",
            "type",
            "date",
            "date_end",
            "date_precision",
            "place",
            "location_note",
            "casualties",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "date_end": forms.DateInput(attrs={"type": "date"}),
            "location_note": forms.Textarea(attrs={"rows": 2}),
            "casualties": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "claimed_by": "Claimant (who says so)",
            "actor": "Actor (who that is, and the side it speaks for; data/actors.json)",
        }

    def __init__(self, *args: Any, article: Article, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.article = article
        place_field: Any = self.fields["place"]
        place_field.queryset = Place.objects.order_by("name")
        actor_field: Any = self.fields["actor"]
        actor_field.queryset = Actor.objects.select_related("side").order_by("side__order", "name")
        actor_field.label_from_instance = lambda actor: f"{actor.name} ({actor.side.label})"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, last = data.get("date"), data.get("date_end")
        precision = data.get("date_precision")
        published = self.article.published
        if day:
            oldest = published.replace(year=published.year - OLDEST_CLAIM_YEARS)
            latest = published + datetime.timedelta(
                days=PLANNED_DAYS if precision == Incident.DatePrecision.PLANNED else 0
            )
            if not oldest <= day <= latest:
                self.add_error(
                    "date",
                    f"{day} is outside the article's plausible range ({oldest} to {latest}): "
                    f"the article was published on {published}"
                    + (
                        ""
                        if precision == "planned"
                        else "; a later day is only for a planned event"
                    )
                    + ".",
                )
        if precision == Incident.DatePrecision.RANGE:
            if not last:
                self.add_error("date_end", "A range needs its last day.")
            elif day and last <= day:
                self.add_error("date_end", "The last day comes after the first.")
        elif last:
            self.add_error("date_end", "Only a range has a last day.")
        return data


class AcledForm(forms.Form):
    """An ACLED-format CSV to import as draft claims (border_map.acled)."""

    upload = forms.FileField(label="ACLED CSV file")

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        if upload.size > settings.EDITOR_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the limit is "
                f"{settings.EDITOR_MAX_UPLOAD_BYTES:,}."
            )
        return upload
