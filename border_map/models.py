"""The spatial data model: articles and their excerpts, geocoded places, incidents, and the
country polygons, enclaves and shared boundary lines derived from OpenStreetMap.

Every geometry is WGS84 (SRID 4326), longitude/latitude.
"""

from typing import Any

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords  # type: ignore[import-untyped]

# The countries on the map: ISO 3166-1 alpha-2 code (Country.code, Place.country) -> alpha-3
# code (Country.iso3, and how the OSM extract names them) and name.
COUNTRIES = {"KG": ("KGZ", "Kyrgyzstan"), "TJ": ("TJK", "Tajikistan"), "UZ": ("UZB", "Uzbekistan")}
COUNTRY_NAMES = {code: name for code, (_iso3, name) in COUNTRIES.items()}


class Article(models.Model):
    """A news article, kept whole so that every excerpt can be checked against it."""

    slug = models.SlugField(unique=True, max_length=120)
    title = models.CharField(max_length=300)
    outlet = models.CharField(max_length=200)
    url = models.URLField(blank=True, max_length=500)
    published = models.DateField()
    language = models.CharField(max_length=10, default="en")
    text = models.TextField()
    # What the geoparser found that the editors' review page shows and the tables do not hold:
    # the candidates of each mention and the names it could not place (border_map.review).
    geoparse_result = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords(excluded_fields=["geoparse_result"])

    class Meta:
        ordering = ["published", "slug"]

    def __str__(self) -> str:
        return f"{self.outlet}, {self.published}: {self.title}"


class Country(models.Model):
    """A country's land territory (enclaves included), as in the OSM extract."""

    code = models.CharField(max_length=2, unique=True)  # ISO 3166-1 alpha-2
    iso3 = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=100)
    geom = models.MultiPolygonField(srid=4326)
    # geom simplified for the map's backdrop, once when the boundaries load (boundaries.outline).
    outline = models.MultiPolygonField(srid=4326, spatial_index=False)  # drawn, never queried

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """A named place found in an article and geocoded, with where its point came from."""

    class Kind(models.TextChoices):
        SETTLEMENT = "settlement"
        TOWN = "town"
        DISTRICT = "district"
        REGION = "region"
        CHECKPOINT = "checkpoint"
        WATER_FACILITY = "water_facility", "water facility"
        RIVER = "river"  # a line shown at a point, with a radius that covers it
        AREA = "area"  # a locality or tract without a settlement

    slug = models.SlugField(unique=True, max_length=120)
    name = models.CharField(max_length=200, unique=True)  # as the article spells it
    alternate_names = models.JSONField(default=list, blank=True)  # Latin and Cyrillic spellings
    kind = models.CharField(max_length=20, choices=Kind.choices)
    point = models.PointField(srid=4326)
    country = models.CharField(max_length=2, blank=True)  # computed from Country polygons
    geocoder = models.CharField(max_length=50)  # e.g. "gazetteer", "nominatim"
    precision_m = models.PositiveIntegerField()  # radius that covers the true position
    estimated = models.BooleanField(default=False)  # True when the point is an estimate
    source = models.TextField()  # provenance: GeoNames id, or "estimated: how"
    needs_review = models.BooleanField(default=False)
    review_note = models.TextField(blank=True)
    name_ru = models.CharField(max_length=200, blank=True)  # Cyrillic, from the gazetteer
    # Spatial context, computed by the database from the country, enclave and boundary
    # geometries whenever places or boundaries load (border_map.context.refresh).
    territory = models.CharField(max_length=2, blank=True)  # "" on a shared line or outside
    line = models.CharField(max_length=5, blank=True)  # the nearest shared line, "KG-TJ"
    line_distance_km = models.FloatField(null=True, blank=True)  # geodesic, to that line
    enclave = models.CharField(max_length=100, blank=True)  # the enclave holding the point
    nearest_enclave = models.CharField(max_length=100, blank=True)  # "" when no enclave
    nearest_enclave_km = models.FloatField(null=True, blank=True)  # 0 inside it
    enclave_ru = models.CharField(max_length=100, blank=True)  # the two in Russian, when known
    nearest_enclave_ru = models.CharField(max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [
            # The API's near_line_km and enclave filters.
            models.Index(fields=["line_distance_km"]),
            models.Index(fields=["enclave"]),
        ]

    def __str__(self) -> str:
        return self.name


# Precision classes of a place's point, as the map draws them: "exact" within 1 km, "near"
# within 10 km, "area" for a district or region (or anything vaguer) shown at a point.
EXACT_M = 1_000
NEAR_M = 10_000
AREA_KINDS = (Place.Kind.DISTRICT, Place.Kind.REGION)


def geo_precision(prefix: str = "") -> Case:
    """ACLED's geo_precision of a place, as a database expression (for exports and filters):
    1 the named settlement or site itself, 2 an estimated point near it, 3 a district, a
    region or anything vaguer than NEAR_M. ``prefix`` is the path to the place ("place__")."""
    return Case(
        When(
            Q(**{f"{prefix}kind__in": AREA_KINDS}) | Q(**{f"{prefix}precision_m__gt": NEAR_M}),
            then=Value(3),
        ),
        When(**{f"{prefix}estimated": True}, then=Value(2)),
        default=Value(1),
        output_field=models.IntegerField(),
    )


def precision_class(precision_m: int, geo_precision: int) -> str:
    """The map's class of a point: "exact", "near" or "area"."""
    if geo_precision == 3:
        return "area"
    return "exact" if precision_m <= EXACT_M else "near"


class GeocodeCache(models.Model):
    """Every answer of an online geocoder, so that a name is asked once."""

    geocoder = models.CharField(max_length=50)
    query = models.CharField(max_length=300)
    response = models.JSONField(default=list)  # list of raw candidates, empty when none
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["geocoder", "query"], name="geocode_cache_unique")
        ]

    def __str__(self) -> str:
        return f"{self.geocoder}: {self.query}"


class Excerpt(models.Model):
    """A verbatim slice of an article: always ``article.text[start:end]``."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="excerpts")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    places = models.ManyToManyField(Place, blank=True, related_name="excerpts")

    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "start"]
        constraints = [
            models.UniqueConstraint(fields=["article", "start", "end"], name="excerpt_unique_span")
        ]

    def clean(self) -> None:
        if self.article.text[self.start : self.end] != self.text:
            raise ValidationError("Excerpt text is not article.text[start:end].")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.clean()
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.article.slug}[{self.start}:{self.end}]"


class Mention(models.Model):
    """One occurrence of a place name in an article, spelled as the article spells it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="mentions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.CharField(max_length=200)

    class Meta:
        ordering = ["article", "start"]
        constraints = [
            models.UniqueConstraint(fields=["article", "start"], name="mention_unique_start")
        ]

    def __str__(self) -> str:
        return f"{self.text} @ {self.article.slug}[{self.start}]"


class Side(models.Model):
    """Whom a claimant speaks for: Kyrgyz official, Tajik official, third party, media, or
    another side the reviewed data (data/actors.json) declares."""

    slug = models.SlugField(unique=True, max_length=60)
    label = models.CharField(max_length=100)
    label_ru = models.CharField(max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)  # in lists and keys

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.label


class Actor(models.Model):
    """Who makes claims (a ministry, a border service, a news outlet), with the side it speaks
    for. An incident's ``claimed_by`` keeps the article's words; its ``actor`` says who that is."""

    slug = models.SlugField(unique=True, max_length=120)
    name = models.CharField(max_length=200)
    side = models.ForeignKey(Side, on_delete=models.PROTECT, related_name="actors")
    # How the articles name it ("Kyrgyz police in the Batken region"), for matching new claims.
    alternate_names = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)  # why this side, when it is not obvious

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """One happening that several claims are about (e.g. the shooting at Golovnoi and Kok-Tash
    on 28–29 April 2021, told by the Kyrgyz police and by the Tajik Border Guard Service), so
    that their accounts can be read side by side. Grouped by hand in data/events.json."""

    slug = models.SlugField(unique=True, max_length=120)
    title = models.CharField(max_length=300)
    date = models.DateField()
    date_end = models.DateField(null=True, blank=True)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="events")
    notes = models.TextField(blank=True)  # the editor's word on how the claims were grouped
    # What the claims disagree on, as the editor reads them: [{"point": "Who fired first",
    # "answers": {claim slug: "what that claim says"}}], shown as a table on the event page.
    disagreements = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["date", "slug"]

    def __str__(self) -> str:
        return f"{self.date}: {self.title}"


class IncidentQuerySet(models.QuerySet["Incident"]):
    def published(self) -> "IncidentQuerySet":
        """The claims a person has checked and published: the only ones the public map, the
        API and the exports show."""
        return self.filter(status=Incident.Status.PUBLISHED)


class Incident(models.Model):
    """An event as one party reported or claimed it, at a place, backed by article excerpts.

    A claim is shown to the public only once published; drafts and rejected claims stay in the
    editors' pages.
    """

    class Status(models.TextChoices):
        DRAFT = "draft"
        PUBLISHED = "published"
        REJECTED = "rejected"

    class Type(models.TextChoices):
        CLASH = "clash"
        GUNFIRE = "gunfire"
        EVACUATION = "evacuation"
        CASUALTIES = "casualties"
        NEGOTIATION = "negotiation"

    class DatePrecision(models.TextChoices):
        DAY = "day", "on this day"
        RANGE = "range", "between date and date_end"
        PLANNED = "planned", "announced for this day"

    slug = models.SlugField(unique=True, max_length=120)
    date = models.DateField()
    date_end = models.DateField(null=True, blank=True)
    date_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    title = models.CharField(max_length=300)
    type = models.CharField(max_length=20, choices=Type.choices)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="incidents")
    location_note = models.TextField(blank=True)  # why this place, when the text is vague

    claimed_by = models.CharField(max_length=200)  # as the article names the claimant
    actor = models.ForeignKey(
        Actor, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    casualties = models.TextField(blank=True)  # as stated by the claimant, never summed
    excerpts = models.ManyToManyField(Excerpt, related_name="incidents")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    # The event's id in the data set it was imported from (ACLED's event_id_cnty; the key of a
    # re-import), and that row's columns this model has no field for (border_map.acled),
    # exported back as they came. Empty for claims drafted from articles.
    event_id = models.CharField(max_length=100, blank=True, db_index=True)
    event_fields = models.JSONField(default=dict, blank=True)
    # Moved on every save that changes a field (border_map.history): the editors' forms carry
    # it and refuse to overwrite a newer change.
    updated = models.DateTimeField(default=timezone.now)
    # The happening this claim is about, with the other claims about it (data/events.json).
    # Not "event": event_id above is ACLED's id of the claim's own row.
    happening = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="claims"
    )

    objects = IncidentQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[excerpts])

    class Meta:
        ordering = ["date", "slug"]
        permissions = [("publish_incident", "Can publish or reject claims")]
        # (date, slug) is the export and list order; claimed_by and type are filters.
        indexes = [
            models.Index(fields=["date", "slug"]),
            models.Index(fields=["claimed_by"]),
            models.Index(fields=["type"]),
            models.Index(fields=["status"]),
            # The time bar's counts (timeline.day_counts) from the index alone.
            models.Index(fields=["status", "date", "type"], name="incident_status_date_type"),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.title}"


class CasualtyFigure(models.Model):
    """A number a claim states (killed, injured, missing, evacuated), beside the verbatim phrase
    it comes from. A range or a bound ("at least 12", "dozens") is kept as low/best/high, never
    rounded into one figure; figures of different claims are never merged into a fact."""

    class Kind(models.TextChoices):
        KILLED = "killed"
        INJURED = "injured"
        MISSING = "missing"
        EVACUATED = "evacuated"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="figures")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Whose people are counted (country code), "" when the claim does not say.
    people = models.CharField(max_length=2, blank=True)
    low = models.PositiveIntegerField(null=True, blank=True)
    best = models.PositiveIntegerField(null=True, blank=True)
    high = models.PositiveIntegerField(null=True, blank=True)
    phrase = models.TextField()  # verbatim, inside one of the incident's excerpts

    class Meta:
        ordering = ["incident", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.incident.slug}: {self.kind} {self.phrase!r}"


class MentionDecision(models.Model):
    """An editor's decision on one name in an article, kept apart from the mentions so that it
    survives re-ingesting the article (border_map.review applies it after the geoparser)."""

    class Action(models.TextChoices):
        ACCEPT = "accept", "the geoparser's place is right"
        CHOOSE = "choose", "another candidate"
        REJECT = "reject", "not a place"
        PLACE = "place", "placed on the map"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="decisions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.CharField(max_length=200)  # the name as written, article.text[start:end]
    action = models.CharField(max_length=10, choices=Action.choices)
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "start", "text"], name="mention_decision_unique_span"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text} @ {self.article.slug}[{self.start}]: {self.action}"


class Enclave(models.Model):
    """A piece of one country lying wholly inside another, derived from the country polygons."""

    slug = models.SlugField(unique=True, max_length=120)
    name = models.CharField(max_length=100, unique=True)
    alternate_names = models.JSONField(default=list, blank=True)
    sovereign = models.CharField(max_length=2)
    surrounded_by = models.CharField(max_length=2)
    geom = models.MultiPolygonField(srid=4326)
    area_km2 = models.FloatField()  # geodesic, computed from geom
    # geom as the map draws it, simplified with the outlines and lines (boundaries.draw).
    drawn = models.MultiPolygonField(srid=4326, null=True, spatial_index=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Boundary(models.Model):
    """The line two countries share, derived from the country polygons."""

    countries = models.CharField(max_length=5, unique=True)  # "KG-TJ", codes sorted
    geom = models.MultiLineStringField(srid=4326)
    length_km = models.FloatField()  # geodesic, computed from geom
    # geom as the map draws it: where the two drawn outlines meet (boundaries.draw).
    drawn = models.MultiLineStringField(srid=4326, null=True, spatial_index=False)

    class Meta:
        ordering = ["countries"]
        verbose_name_plural = "boundaries"

    def __str__(self) -> str:
        return self.countries


class SourceGap(models.Model):
    """Land inside the countries' outer rings that no country polygon of the source covers (a
    lake the land polygons leave out, a sliver between two countries' polygons), kept and drawn
    as "no data in the source" rather than given to a country (boundaries.find_gaps)."""

    drawn = models.MultiPolygonField(srid=4326, spatial_index=False)  # simplified, as drawn
    area_km2 = models.FloatField()  # geodesic, of the full polygon
    bordered_by = models.CharField(max_length=8)  # "KG", or "KG-TJ" when between two

    class Meta:
        ordering = ["-area_km2", "pk"]

    def __str__(self) -> str:
        return f"{self.area_km2:.2f} km² ({self.bordered_by})"


class LoadedRecord(models.Model):
    """What a data file last said about one object (border_map.reviewed): load_data tells from
    it whether the object was edited in the database since, and then keeps the edit instead of
    overwriting it. Kept field by field, not as one hash, so that a field added to the files'
    format later is not taken for an edit of every object."""

    kind = models.CharField(max_length=20)  # "incident", "article", "place"
    key = models.CharField(max_length=120)  # the object's slug
    said = models.JSONField(default=dict)  # the object's fields as the file gave them

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="loaded_record_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class ClusterCell(models.Model):
    """Incidents counted per grid cell of one zoom level, by type and day: the cluster pyramid
    the map's tiles are answered from (kept up to date by border_map.pyramid).

    A cell of level ``z`` is a tile of zoom ``z + pyramid.CELL_BITS``: each map tile of zoom
    ``z`` holds 8 × 8 cells of 64 screen pixels (the map draws it at 512 pixels).
    ``sum_lon``/``sum_lat`` give the centroid.
    """

    z = models.PositiveSmallIntegerField()
    x = models.IntegerField()
    y = models.IntegerField()
    type = models.CharField(max_length=20)
    day = models.DateField()  # Incident.date
    last_day = models.DateField()  # Incident.date_end, or date when it has none
    n = models.PositiveIntegerField()
    sum_lon = models.FloatField()
    sum_lat = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["z", "x", "y", "type", "day", "last_day"], name="cluster_cell_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.z}/{self.x}/{self.y} {self.type} {self.day}: {self.n}"


class DataSummary(models.Model):
    """What every map page shows about all incidents (claimant list, date range), and the
    version of the cluster pyramid, kept on write so that a page load does no work that grows
    with the data. One row. Saving or deleting one incident updates it (and the pyramid) in
    the same transaction, its version one up; ``stale`` is set instead when a place is saved or
    deleted, or an incident inside a loader (pyramid.bulk), and the next reader rebuilds
    (border_map.pyramid.current)."""

    version = models.PositiveIntegerField(default=0)
    stale = models.BooleanField(default=False)
    first_day = models.DateField(null=True)
    last_day = models.DateField(null=True)
    claimants = models.JSONField(default=list)  # [[name, count], ...], by name ignoring case

    class Meta:
        verbose_name_plural = "data summary"

    def __str__(self) -> str:
        return f"version {self.version}{' (stale)' if self.stale else ''}"
