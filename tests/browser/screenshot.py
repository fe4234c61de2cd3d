#!/usr/bin/env python3
"""Regenerates the README's screenshot of the HTML report: the top of the page for
captures/loopback.pcap, in the light colours, 1280 pixels wide.

Usage: screenshot.py ODDPORT CAPTURES-DIR OUTPUT.png
(run it with `meson compile -C build readme-screenshot`)
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devtools  # noqa: E402


def main():
    oddport, captures, output = (os.path.abspath(path) for path in sys.argv[1:4])
    chromium = devtools.find_chromium()
    if chromium is None:
        sys.exit("screenshot.py: no chromium (apt-get install chromium, or set ODDPORT_CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="oddport-screenshot-") as work:
        page = os.path.join(work, "report.html")
        subprocess.run([oddport, "--format", "html", "-o", page, "loopback.pcap"], cwd=captures,
                       check=True)
        with devtools.Browser(chromium, width=1280, height=1500) as browser:
            browser.load(page)
            browser.screenshot_top(output, 1500)
    print("wrote " + output)


if __name__ == "__main__":
    main()
