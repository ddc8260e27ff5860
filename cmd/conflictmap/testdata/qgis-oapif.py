#!/usr/bin/python3
"""Load the events collection of a running conflictmap server in headless
QGIS (PyQGIS, provider OAPIF) by nothing but its URL, read every feature,
and print what QGIS saw. The page size QGIS uses shows in the server's
request log (the limit= of each items request); qgis-oapif.sh runs both.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis-oapif.py http://127.0.0.1:8080/ogc

Not part of `make test`: it needs the Debian packages qgis and python3-qgis.
"""
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import Qgis, QgsApplication, QgsVectorLayer  # noqa: E402


def main(url):
    app = QgsApplication([], False)
    app.initQgis()
    try:
        uri = "url='%s' typename='events' restrictToRequestBBOX='0'" % url
        started = time.monotonic()
        layer = QgsVectorLayer(uri, "events", "OAPIF")
        if not layer.isValid():
            print("QGIS could not load %s: %s" % (url, layer.error().summary()))
            return 1
        fields = [f.name() for f in layer.fields()]
        declared = layer.featureCount()
        seen = 0
        countries = set()
        for feat in layer.getFeatures():
            seen += 1
            countries.add(feat["country_code"])
        took = time.monotonic() - started
        print("QGIS %s, provider OAPIF" % Qgis.QGIS_VERSION)
        print("layer valid: %s; %d fields (first: %s)" % (layer.isValid(), len(fields), ", ".join(fields[:6])))
        print("featureCount (numberMatched): %d" % declared)
        print("features read: %d (%d distinct country codes) in %.1f s" % (seen, len(countries), took))
        return 0 if seen == declared else 2
    finally:
        sys.stdout.flush()


if __name__ == "__main__":
    code = main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/ogc")
    # QGIS 3.22's teardown (exitQgis) crashes in offscreen mode; there is
    # nothing left to release.
    os._exit(code)
