"""The one module that parses and applies query parameters (border_map/filters.py), and the
declared layers it reads: what each layer takes is declared, never guessed from its name."""

import datetime as dt

import pytest
from django.http import Http404, QueryDict

from border_map import exports, filters


def test_every_layer_declares_the_property_names_its_builder_gives(db):
    for layer in exports.LAYERS.values():
        row, props = next(exports._iter_rows(layer.name, None, "geojson"))
        assert list(props) == list(layer.property_names), layer.name


def test_only_layers_with_a_time_field_take_datetime():
    timed = {name for name, layer in exports.LAYERS.items() if "datetime" in layer.parameters}
    assert timed == {name for name, layer in exports.LAYERS.items() if layer.time_field}
    assert "incidents" in timed and "places" not in timed


def test_a_filter_a_layer_does_not_declare_is_refused_naming_the_layers_that_take_it(db):
    with pytest.raises(filters.BadParameter) as raised:
        filters.filtered_queryset("enclaves", QueryDict("claimed_by=x"))
    assert raised.value.parameter == "claimed_by"
    assert raised.value.message == "filters incidents only; enclaves have no claimed_by."


def test_datetime_on_an_untimed_layer_is_checked_then_ignored_when_asked(db):
    everything = filters.filtered_queryset("places", QueryDict(""))
    ignored = filters.filtered_queryset(
        "places", QueryDict("datetime=2021-04-29"), untimed_datetime="ignore"
    )
    assert ignored.count() == everything.count() > 0
    with pytest.raises(filters.BadParameter):
        filters.filtered_queryset("places", QueryDict("datetime=yesterday"), "ignore")


def test_an_unknown_layer_is_a_404():
    with pytest.raises(Http404):
        filters.filtered_queryset("rivers", QueryDict(""))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-04-29", (dt.date(2021, 4, 29), dt.date(2021, 4, 29))),
        ("2021-04-28/..", (dt.date(2021, 4, 28), None)),
        ("/2021-04-30", (None, dt.date(2021, 4, 30))),
        # A date-time counts by its day in UTC.
        ("2021-04-29T03:00:00+06:00", (dt.date(2021, 4, 28), dt.date(2021, 4, 28))),
    ],
)
def test_datetime_gives_the_days_it_covers(text, expected):
    assert filters.parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text", ["..", "../..", "2021-04-30/2021-04-29", "2021-04-29T10:00:00", "a/b/c", "29.04.2021"]
)
def test_a_datetime_that_says_no_interval_is_refused(text):
    with pytest.raises(filters.BadParameter) as raised:
        filters.parse_datetime(text)
    assert raised.value.parameter == "datetime"


def test_a_bbox_across_the_antimeridian_is_split_in_two():
    west, east = filters.parse_bbox("170,-10,-170,10")
    assert west.extent == (170.0, -10.0, 180.0, 10.0)
    assert east.extent == (-180.0, -10.0, -170.0, 10.0)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        (f"limit={filters.MAX_LIMIT + 1}", "limit"),
        ("offset=-1", "offset"),
        (f"offset={filters.MAX_OFFSET + 1}", "offset"),
        ("limit=1&limit=2", "limit"),
        ("offset=%00", "offset"),
    ],
)
def test_paging_outside_its_bounds_is_refused(query, parameter):
    with pytest.raises(filters.BadParameter) as raised:
        filters.parse_paging(QueryDict(query))
    assert raised.value.parameter == parameter


def test_paging_takes_the_default_limit_only_when_none_is_given():
    assert filters.parse_paging(QueryDict(""), default_limit=10) == (10, 0)
    assert filters.parse_paging(QueryDict("limit=3&offset=6"), default_limit=10) == (3, 6)


def test_claimants_with_commas_are_never_split(db):
    name = "Delegations of both countries, in a joint statement"
    queryset = filters.filtered_queryset("incidents", QueryDict(f"claimed_by={name}"))
    assert {i.claimed_by for i in queryset} == {name}
