"""Data endpoints: each layer as GeoJSON, produced by the exports module."""

from django.http import Http404, StreamingHttpResponse

from . import exports


def layer_geojson(request, layer):
    if layer not in exports.LAYERS:
        raise Http404(f"No layer {layer!r}; layers: {', '.join(exports.LAYERS)}.")
    response = StreamingHttpResponse(
        exports.iter_geojson(layer), content_type="application/geo+json"
    )
    response["Content-Disposition"] = f'inline; filename="border_map-{layer}.geojson"'
    return response
