/* Where the scale bar sits. On a narrow map the attribution wraps onto two lines and would
   cover a scale bar at the bottom left: there the scale sits at the top left, under the zoom
   buttons. */

export function placeScaleBar(map) {
  const narrow = window.matchMedia("(max-width: 699px)");
  const place = () => {
    const container = map.getContainer();
    const scale = container.querySelector(".leaflet-control-scale");
    const corner = container.querySelector(
      narrow.matches ? ".leaflet-top.leaflet-left" : ".leaflet-bottom.leaflet-left",
    );
    if (scale && corner && scale.parentNode !== corner) corner.append(scale);
  };
  narrow.addEventListener("change", place);
  place();
}
