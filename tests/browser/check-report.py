#!/usr/bin/env python3
"""The HTML report of a recorded capture, rendered in headless Chromium: its services, chart
marks, filters, sorting and a service's flows are checked in the live page against the JSON
report of the same capture, and screenshots (light and dark) and a PDF print are kept as
artefacts.

Usage: check-report.py ODDPORT CAPTURES-DIR ARTEFACT-DIR [CAPTURE]
Skipped (77) when there is no chromium.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import devtools  # noqa: E402

failures = []
passes = 0


def check(condition, what):
    global passes
    if condition:
        passes += 1
        print("ok - " + what)
    else:
        failures.append(what)
        print("not ok - " + what)


def main():
    oddport, captures, artefacts = (os.path.abspath(path) for path in sys.argv[1:4])
    capture = sys.argv[4] if len(sys.argv) > 4 else "loopback.pcap"
    chromium = devtools.chromium_or_skip()
    os.makedirs(artefacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="oddport-html-")
    try:
        return check_page(oddport, captures, artefacts, capture, chromium, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_page(oddport, captures, artefacts, capture, chromium, work):
    stem = os.path.splitext(capture)[0]
    page = os.path.join(work, stem + ".html")
    subprocess.run([oddport, "--format", "html", "-o", page, capture], cwd=captures, check=True)
    report = json.loads(subprocess.run([oddport, "--format", "json", capture], cwd=captures,
                                       check=True, capture_output=True).stdout)
    services = [service for service in report["services"] if service["app"] != "unknown"]
    nonstandard = [service for service in services if service["nonstandard"]]

    def key(service):
        server = service["server"]
        ip = "[%s]" % server["ip"] if ":" in server["ip"] else server["ip"]
        return "%s %s:%d/%s" % (service["app"], ip, server["port"], service["transport"])

    with devtools.Browser(chromium) as browser:
        seconds = browser.load(page)
        print("# loaded in %.3f s" % seconds)
        evaluate = browser.evaluate
        check(evaluate("document.documentElement.dataset.ready") == "true",
              "the page's own script ran under its Content-Security-Policy")

        rows = evaluate("""Array.from(document.querySelectorAll('#services-table tbody tr'))
            .map(row => row.dataset.app + ' ' + row.querySelector('th').textContent)""")
        check(sorted(rows) == sorted(key(service) for service in services),
              "the services table lists every recognised service of the JSON report (%d)"
              % len(services))
        severities = evaluate("""Array.from(document.querySelectorAll('#services-table tbody tr'))
            .filter(row => row.dataset.severity !== 'standard').map(row => row.dataset.severity)""")
        check(sorted(severities) == sorted(service["severity"] for service in nonstandard),
              "with the JSON report's severities")
        filters = evaluate("""Array.from(document.querySelectorAll('#services-table tbody tr dl'))
            .map(list => list.textContent)""")
        check(all("Wireshark filter" in text for text in filters),
              "every service shows its Wireshark filter")

        marks = evaluate("document.querySelectorAll('#chart-port-map circle.mark').length")
        drawn = [service for service in report["services"]
                 if service["app"] != "unknown" or service["server_spoke"]]
        check(marks == len(drawn), "the port map has a mark per service (%d)" % len(drawn))
        outlined = evaluate(
            "document.querySelectorAll('#chart-port-map circle.mark.nonstandard').length")
        check(outlined == len(nonstandard), "and outlines the %d non-standard ones"
              % len(nonstandard))
        spans = evaluate("document.querySelectorAll('#chart-timeline rect.span').length")
        check(spans == min(len(nonstandard), 40), "the timeline has a bar per odd service")
        bands = evaluate("document.querySelectorAll('#chart-port-map rect[class^=band-]').length")
        check(bands == 3, "the port map shades the three port classes")
        class_bars = evaluate("document.querySelectorAll('#chart-port-classes rect.bar').length")
        check(class_bars == 6, "flows and bytes bars for each port class")

        def visible(table):
            return evaluate("Array.from(document.querySelectorAll('#%s tbody tr'))"
                            ".filter(row => !row.hidden).length" % table)

        def choose(table, control, value):
            evaluate("""(() => {
                const control = document.querySelector(
                    '.controls[data-table=%s] [data-filter=%s]');
                control.value = %s;
                control.dispatchEvent(new Event('change'));
            })()""" % (table, control, json.dumps(value)))

        for app in ("http", "tls", "ssh"):
            choose("services-table", "app", app)
            check(visible("services-table") == sum(1 for s in services if s["app"] == app),
                  "the app filter shows the %s services alone" % app)
        choose("services-table", "app", "")
        choose("services-table", "severity", "nonstandard")
        check(visible("services-table") == len(nonstandard),
              "the severity filter shows the non-standard services")
        choose("services-table", "severity", "masquerade")
        check(visible("services-table") ==
              sum(1 for s in nonstandard if s["severity"] == "masquerade"),
              "and the masquerading ones")
        choose("services-table", "severity", "")
        choose("services-table", "class", "registered")
        check(visible("services-table") ==
              sum(1 for s in services if s["server"]["port_class"] == "registered"),
              "the class filter shows the registered-port services")
        check(evaluate("document.querySelector('.controls[data-table=services-table] output')"
                       ".value").startswith("showing %d of" % visible("services-table")),
              "the filters say how many rows they show")
        choose("services-table", "class", "")

        evaluate("""Array.from(document.querySelectorAll('#services-table thead th'))
            .find(th => th.textContent === 'Bytes').querySelector('button').click()""")
        order = evaluate("""Array.from(document.querySelectorAll('#services-table tbody tr'))
            .map(row => Number(row.cells[7].dataset.value))""")
        check(order == sorted(order), "a click on Bytes sorts the services by bytes")
        evaluate("""Array.from(document.querySelectorAll('#services-table thead th'))
            .find(th => th.textContent.startsWith('Bytes')).querySelector('button').click()""")
        order = evaluate("""Array.from(document.querySelectorAll('#services-table tbody tr'))
            .map(row => Number(row.cells[7].dataset.value))""")
        check(order == sorted(order, reverse=True), "a second click sorts them the other way")

        flows = evaluate("document.querySelectorAll('#flows-table tbody tr').length")
        check(flows == len(report["flows"]), "the flow table has every flow (%d)"
              % len(report["flows"]))
        # The most severe finding's button, or the first service's.
        target = (nonstandard or services)[0]
        service_key = "%s %d %s %s" % (target["server"]["ip"], target["server"]["port"],
                                       target["transport"], target["app"])
        evaluate("""Array.from(document.querySelectorAll('#services-table button.show-flows'))
            .find(button => button.dataset.service === %s).click()""" % json.dumps(service_key))
        shown = evaluate("""Array.from(document.querySelectorAll('#flows-table tbody tr'))
            .filter(row => !row.hidden).map(row => row.cells[0].textContent)""")
        expected = [str(flow["id"]) for flow in report["flows"]
                    if flow["app"] == target["app"]
                    and flow["server"]["port"] == target["server"]["port"]
                    and flow["server"]["ip"] == target["server"]["ip"]
                    and flow["transport"] == target["transport"]]
        check(expected and sorted(shown) == sorted(expected),
              "the button of %s shows its flows alone (%s)" % (key(target), ", ".join(expected)))
        flow_text = evaluate("document.querySelector('#flows-table').textContent")
        check(all(flow["community_id"] in flow_text for flow in report["flows"]),
              "every flow shows its Community ID")
        # Fingerprints as the JSON report has them, in the flow rows.
        fingerprints = []
        for flow in report["flows"]:
            for protocol, names in (("tls", ("ja3", "ja3s", "ja4")),
                                    ("ssh", ("hassh", "hassh_server"))):
                if flow.get(protocol):
                    fingerprints += [flow[protocol][name] for name in names
                                     if flow[protocol].get(name)]
        check(all(value in flow_text for value in fingerprints),
              "every flow shows its JA3, JA3S, JA4, HASSH and HASSHServer (%d)"
              % len(fingerprints))
        service_text = evaluate("document.querySelector('#services-table').textContent")
        check(all(service["display_filter"] in service_text for service in services),
              "every service shows the JSON report's Wireshark display filter")
        check("frame" in flow_text and capture in flow_text,
              "and its capture and frame numbers")
        evaluate("document.querySelector('.controls[data-table=flows-table] button.reset')"
                 ".click()")
        evaluate("""(() => { const box = document.querySelector(
            '.controls[data-table=flows-table] [data-filter=mismatch]');
            box.checked = true; box.dispatchEvent(new Event('change')); })()""")
        check(visible("flows-table") == sum(1 for f in report["flows"] if f["mismatch"]),
              "the mismatch box shows the mismatched flows")

        headers = evaluate("""Array.from(document.querySelectorAll('table')).every(table =>
            table.tHead && table.tHead.querySelectorAll('th[scope=col]').length ===
            table.tHead.rows[0].cells.length)""")
        check(headers, "every table has column headers for screen readers")
        # A severity cell says a severity of the vocabulary, or what the severity filter calls
        # the rest: a recognised app on its own port, and nothing recognised.
        words = evaluate("""Array.from(new Set(Array.from(
            document.querySelectorAll('td.severity')).map(cell => cell.textContent)))""")
        check(words and set(words) <= {"masquerade", "unexpected", "alternate", "standard port",
                                        "not recognised"},
              "every severity cell speaks the vocabulary or the filter's words: %s" % words)
        # The port map's labels as the browser lays them out: none may cross another label, or
        # a mark other than the one right under or beside it that it names.
        crossings = evaluate("""(() => {
            const svg = document.querySelector('#chart-port-map svg');
            const labels = Array.from(svg.querySelectorAll('text.label'))
                .filter(text => /^(http|tls|ssh|unknown) [0-9]+$/.test(text.textContent));
            const marks = Array.from(svg.querySelectorAll('circle.mark'));
            const box = element => element.getBBox();
            const cross = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width &&
                a.y < b.y + b.height && b.y < a.y + a.height;
            const found = [];
            labels.forEach((label, index) => {
                const own = box(label);
                labels.slice(index + 1).forEach(other => {
                    if (cross(own, box(other)))
                        found.push(label.textContent + ' / ' + other.textContent);
                });
                const [app, port] = label.textContent.split(' ');
                marks.forEach(mark => {
                    if (mark.dataset.app === app && mark.dataset.port === port)
                        return;
                    if (cross(own, box(mark)))
                        found.push(label.textContent + ' / mark ' + mark.dataset.app + ' ' +
                                   mark.dataset.port);
                });
            });
            return [labels.length, found];
        })()""")
        check(crossings[0] > 0 and not crossings[1],
              "the port map's %d labels cross no other label and no other mark: %s"
              % (crossings[0], crossings[1][:4]))
        check(evaluate("document.querySelectorAll('svg[role=img][aria-labelledby]').length")
              == evaluate("document.querySelectorAll('svg').length"),
              "every chart is an image named by its heading")

        evaluate("document.querySelector('.controls[data-table=flows-table] button.reset')"
                 ".click()")
        browser.load(page)
        browser.screenshot_top(os.path.join(artefacts, stem + "-report.png"), 1600)
        browser.screenshot(os.path.join(artefacts, stem + "-report-full.png"))
        browser.load(page, dark=True)
        check(evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 255, 255)",
              "the page turns dark when the system prefers it")
        browser.screenshot_top(os.path.join(artefacts, stem + "-report-dark.png"), 1600)
        pdf = browser.print_pdf()
        with open(os.path.join(artefacts, stem + "-report.pdf"), "wb") as output:
            output.write(pdf)
        check(pdf.startswith(b"%PDF") and len(pdf) > 10000, "the page prints to PDF")

        errors = [event for event in browser.events
                  if event["method"] in ("Runtime.exceptionThrown",)
                  or (event["method"] == "Log.entryAdded"
                      and event["params"]["entry"]["level"] == "error")]
        check(not errors, "no script error or blocked content: %s" % errors[:3])
    print("# artefacts in " + artefacts)
    print("%d passed, %d failed" % (passes, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
