import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# "<", ">" and "&" as JSON escapes: the text can then never close the script element.
SCRIPT_SAFE = str.maketrans({"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"})


@register.filter
def json_ld(data):
    """Render a dict as a JSON-LD script element, escaped so it cannot close the element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag
def location_map_script():
    """The map script, told where Leaflet, its marker pictures and the map tiles are.

    Static URLs come from `static` so they carry the hashed names of production storage."""
    return format_html(
        '<script src="{}" data-leaflet-css="{}" data-leaflet-js="{}" data-marker-icon="{}" '
        'data-marker-icon-2x="{}" data-marker-shadow="{}" data-tile-url="{}" '
        'data-tile-attribution="{}" data-load-at-once="{}" defer></script>',
        static("js/location-map.js"),
        static("vendor/leaflet/leaflet.css"),
        static("vendor/leaflet/leaflet.js"),
        static("vendor/leaflet/images/marker-icon.png"),
        static("vendor/leaflet/images/marker-icon-2x.png"),
        static("vendor/leaflet/images/marker-shadow.png"),
        settings.MAP_TILE_URL,
        settings.MAP_TILE_ATTRIBUTION,
        "true" if settings.MAP_LOAD_AT_ONCE else "false",
    )


@register.simple_tag
def opening_hours_script():
    """The script that marks today in each week of opening hours, told the clinic's time zone
    (today is the clinic's, wherever the patient reads)."""
    return format_html(
        '<script src="{}" data-time-zone="{}" defer></script>',
        static("js/opening-hours.js"),
        settings.TIME_ZONE,
    )
