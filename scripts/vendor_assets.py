"""Copy the portal's front-end libraries from node_modules into its static folder.

The browser gets them from the app itself (deployments are often offline, and no page loads
anything from elsewhere). The versions are pinned by package.json and package-lock.json; the
copies are not committed (``govledger/portal/static/vendor/`` is ignored): ``make install``
runs this script after ``npm ci``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "govledger" / "portal" / "static" / "vendor"

# Served name -> file in node_modules (each a self-contained browser build).
ASSETS = {
    "sm2.js": "sm-crypto/dist/sm2.js",
    "sm4.js": "sm-crypto/dist/sm4.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
}


def main() -> int:
    VENDOR.mkdir(parents=True, exist_ok=True)
    for name, source in ASSETS.items():
        path = ROOT / "node_modules" / source
        if not path.is_file():
            print(f"{path} is missing: run npm ci first", file=sys.stderr)
            return 1
        shutil.copyfile(path, VENDOR / name)
    print(f"{len(ASSETS)} front-end assets copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
